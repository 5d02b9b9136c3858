"""helpers._quiet_tf: TensorFlow's C++ start-up lines stay out of the notebook."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import _quiet_tf

NOISE = ("absl::InitializeLog", "oneDNN", "cudart_stub", "cuInit", "cuda_platform")


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**environ, **env}, timeout=300)  # fmt: skip


def test_importing_keras_after_helpers_prints_no_tensorflow_lines():
    proc = _run(
        "import helpers, keras, numpy as np\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
        "print(m.predict(np.zeros((1, 3)), verbose=0).shape)\n"
        "import sys; print('python stderr still works', file=sys.stderr)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "(1, 2)"
    assert not [n for n in NOISE if n in proc.stderr], proc.stderr
    assert "python stderr still works" in proc.stderr


def test_the_hook_leaves_other_imports_and_their_errors_alone():
    proc = _run("import helpers, json\nimport not_a_module_at_all\n")
    assert proc.returncode == 1 and "No module named 'not_a_module_at_all'" in proc.stderr


def test_silenced_stderr_hides_c_level_writes_and_restores_them(capfd):
    with _quiet_tf.silenced_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err and "shown" in err


def test_a_low_log_level_keeps_every_line(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    assert not _quiet_tf.wanted()
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    assert _quiet_tf.wanted()
