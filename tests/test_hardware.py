"""Tests for helpers.hardware: parsing, the machine report, advice and the benchmark."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import hardware
from helpers.hardware import BenchmarkResult, GPUInfo, HardwareReport

# Tiny settings keep each benchmark run to about a second on two CPU cores.
TINY = {"image_size": 16, "batch_size": 8, "steps": 2, "warmup_steps": 1}

CPUINFO_X86 = """\
processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu vme sse sse2 avx2 avx512f avx512_bf16 avx512_fp16
processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu vme sse sse2 avx2 avx512f avx512_bf16 avx512_fp16
"""

CPUINFO_AMX = """\
processor\t: 0
model name\t: Some CPU
flags\t\t: fpu sse2 amx_tile amx_bf16 amx_int8
"""

CPUINFO_NO_BF16 = """\
processor\t: 0
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse2 avx2 avx512f avx512bw
"""

CPUINFO_ARM = """\
processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 bf16 i8mm
CPU implementer\t: 0x41

Hardware\t: BCM2835
"""

CPUINFO_OLD_ARM = """\
Processor\t: ARMv7 Processor rev 4 (v7l)
processor\t: 0
Features\t: half thumb fastmult vfp edsp neon
"""

CPUINFO_NO_MODEL = """\
processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd
"""

MEMINFO = """\
MemTotal:       16384000 kB
MemFree:         1024000 kB
MemAvailable:    8192000 kB
Buffers:          100000 kB
Cached:          2000000 kB
HugePages_Total:       0
"""

MEMINFO_OLD_KERNEL = """\
MemTotal:        4096000 kB
MemFree:         1000000 kB
Buffers:          200000 kB
Cached:           800000 kB
"""

KIB_PER_GB = 2**30 / 1024


def make_report(**changes) -> HardwareReport:
    """A CPU-only report with plenty of memory; tests change what they need."""
    base = HardwareReport(
        python_version="3.11.7",
        platform="Linux-6.8.0-x86_64-with-glibc2.39",
        tensorflow_version="2.21.0",
        keras_version="3.15.1",
        keras_backend="tensorflow",
        cpu_model="Test CPU",
        cpu_count=2,
        memory_total_gb=24.0,
        memory_available_gb=20.0,
        gpus=(),
        tf_built_with_cuda=True,
        gpu_in_use=False,
        mixed_precision_policy=None,
        cpu_supports_bf16=False,
    )
    return dataclasses.replace(base, **changes)


RTX = GPUInfo(name="NVIDIA GeForce RTX 3080", device="GPU:0", compute_capability=(8, 6),
              memory_gb=10.0)
GTX = GPUInfo(name="NVIDIA GeForce GTX 1080", device="GPU:0", compute_capability=(6, 1),
              memory_gb=8.0)


def make_bench(images_per_second: float = 1000.0) -> BenchmarkResult:
    return BenchmarkResult(images_per_second=images_per_second, seconds=1.28, steps=20,
                           batch_size=64, image_size=32, device="CPU:0", parameters=20_042)


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


def tf_sees_gpu() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


# ------------------------------------------------------------------------ import cost


def test_import_does_not_load_tensorflow():
    code = "import sys, helpers.hardware; assert 'tensorflow' not in sys.modules, 'tf loaded'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CPUINFO_X86, "Intel(R) Xeon(R) Platinum 8480+"),
        (CPUINFO_NO_BF16, "AMD EPYC 7B13"),
        (CPUINFO_ARM, "BCM2835"),  # ARM kernels: no "model name", fall back to "Hardware"
        (CPUINFO_OLD_ARM, "ARMv7 Processor rev 4 (v7l)"),
        (CPUINFO_NO_MODEL, None),  # "processor: 0" is an index, not a name
        ("", None),
    ],
)
def test_parse_cpu_model(text, expected):
    assert hardware.parse_cpu_model(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CPUINFO_X86, True),  # avx512_bf16
        (CPUINFO_AMX, True),  # amx_bf16
        (CPUINFO_ARM, True),  # aarch64 "Features: ... bf16"
        (CPUINFO_NO_BF16, False),
        (CPUINFO_NO_MODEL, False),
        ("", False),
        ("flags\t\t: avx512_bf16x fake_amx_bf16\n", False),  # whole flags only
    ],
)
def test_parse_cpu_bf16(text, expected):
    assert hardware.parse_cpu_bf16(text) is expected


def test_parse_meminfo_reads_total_and_available():
    total, available = hardware.parse_meminfo(MEMINFO)
    assert total == pytest.approx(16_384_000 / KIB_PER_GB)
    assert available == pytest.approx(8_192_000 / KIB_PER_GB)


def test_parse_meminfo_without_memavailable_estimates_it():
    total, available = hardware.parse_meminfo(MEMINFO_OLD_KERNEL)
    assert total == pytest.approx(4_096_000 / KIB_PER_GB)
    assert available == pytest.approx((1_000_000 + 200_000 + 800_000) / KIB_PER_GB)


@pytest.mark.parametrize("text", ["", "garbage\nMemTotal: lots\n"])
def test_parse_meminfo_missing_fields_give_none(text):
    assert hardware.parse_meminfo(text) == (None, None)


def test_parse_nvidia_smi():
    text = "NVIDIA GeForce RTX 3080, 10240\nTesla T4, [N/A]\n\n"
    gpus = hardware.parse_nvidia_smi(text)
    assert gpus == [("NVIDIA GeForce RTX 3080", pytest.approx(10.0)), ("Tesla T4", None)]
    assert hardware.parse_nvidia_smi("") == []


def test_read_memory_gb_from_file(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(MEMINFO)
    assert hardware.read_memory_gb(meminfo) == hardware.parse_meminfo(MEMINFO)


def test_read_memory_gb_falls_back_to_sysconf(tmp_path):
    total, available = hardware.read_memory_gb(tmp_path / "missing")
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        assert total is not None and total > 0
    if available is not None:
        assert available > 0


def test_read_memory_gb_unknown_is_none_not_an_error(tmp_path, monkeypatch):
    # Windows has no os.sysconf and no /proc: both numbers are simply unknown.
    monkeypatch.delattr(os, "sysconf", raising=False)
    assert hardware.read_memory_gb(tmp_path / "missing") == (None, None)


# -------------------------------------------------------------- small pure functions


def test_mixed_precision_policy_for():
    assert hardware.mixed_precision_policy_for([RTX], cpu_supports_bf16=False) == "mixed_float16"
    assert hardware.mixed_precision_policy_for([GTX, RTX], cpu_supports_bf16=True) == (
        "mixed_float16"
    )
    # An older GPU has no Tensor Cores: only a bf16 CPU makes mixed precision worth it.
    assert hardware.mixed_precision_policy_for([GTX], cpu_supports_bf16=True) == "mixed_bfloat16"
    assert hardware.mixed_precision_policy_for([GTX], cpu_supports_bf16=False) is None
    unknown = dataclasses.replace(RTX, compute_capability=None)
    assert hardware.mixed_precision_policy_for([unknown], cpu_supports_bf16=False) is None
    assert hardware.mixed_precision_policy_for([], cpu_supports_bf16=True) == "mixed_bfloat16"
    assert hardware.mixed_precision_policy_for([], cpu_supports_bf16=False) is None


def test_estimate_epoch_seconds():
    assert hardware.estimate_epoch_seconds(1000.0) == pytest.approx(60.0)
    assert hardware.estimate_epoch_seconds(500.0, images=1000) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive"):
        hardware.estimate_epoch_seconds(0.0)


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_report().cpu_count = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        RTX.name = "other"  # type: ignore[misc]


# -------------------------------------------------------------------- this machine


@pytest.fixture(scope="module")
def report() -> HardwareReport:
    return hardware.collect()


def test_collect_versions_match_installed(report):
    import keras
    import tensorflow as tf

    assert report.tensorflow_version == tf.__version__
    assert report.keras_version == keras.__version__
    assert report.keras_backend == keras.backend.backend()
    assert report.python_version == ".".join(map(str, sys.version_info[:3]))
    assert report.platform and report.cpu_model


def test_collect_cpu_and_memory(report):
    assert isinstance(report.cpu_count, int) and report.cpu_count >= 1
    assert report.cpu_count <= (os.cpu_count() or report.cpu_count)
    if Path("/proc/meminfo").exists():
        assert report.memory_total_gb is not None and report.memory_total_gb > 0
        assert report.memory_available_gb is not None and report.memory_available_gb > 0
        assert report.memory_available_gb <= report.memory_total_gb
    if Path("/proc/cpuinfo").exists():
        text = Path("/proc/cpuinfo").read_text()
        assert report.cpu_supports_bf16 is hardware.parse_cpu_bf16(text)


def test_collect_gpu_fields(report):
    assert isinstance(report.tf_built_with_cuda, bool)
    expected_policy = hardware.mixed_precision_policy_for(report.gpus, report.cpu_supports_bf16)
    assert report.mixed_precision_policy == expected_policy
    if tf_sees_gpu():
        pytest.skip("this machine has a GPU; the CPU-only expectations below do not apply")
    assert report.gpus == ()
    assert report.gpu_in_use is False
    assert report.mixed_precision_policy in (None, "mixed_bfloat16")


def test_uses_gpu_matches_report(report):
    assert hardware.uses_gpu() is report.gpu_in_use
    if not tf_sees_gpu():
        assert hardware.uses_gpu() is False


# ---------------------------------------------------------------------------- advice


def test_advice_no_gpu():
    text = joined(hardware.advice(make_report()))
    assert "No GPU" in text
    assert "2 CPU cores" in text
    assert "minutes" in text
    assert "tensorflow[and-cuda]" not in text


def test_advice_no_gpu_single_core_grammar():
    assert "1 CPU core." in joined(hardware.advice(make_report(cpu_count=1)))


def test_advice_gpu_used_names_it():
    report = make_report(gpus=(RTX,), gpu_in_use=True, mixed_precision_policy="mixed_float16")
    text = joined(hardware.advice(report))
    assert "NVIDIA GeForce RTX 3080" in text
    assert "uses it" in text
    assert "No GPU" not in text and "does not use" not in text


@pytest.mark.parametrize("built_with_cuda", [True, False])
def test_advice_gpu_present_but_unused(built_with_cuda):
    report = make_report(gpus=(GTX,), gpu_in_use=False, tf_built_with_cuda=built_with_cuda)
    text = joined(hardware.advice(report))
    assert "does not use" in text
    assert "tensorflow[and-cuda]" in text
    assert "NVIDIA GeForce GTX 1080" in text


def test_advice_gpu_seen_only_by_the_system():
    # A CPU-only TensorFlow lists no GPUs, but nvidia-smi still reports the card.
    report = make_report(system_gpus=("Tesla T4",), tf_built_with_cuda=False)
    text = joined(hardware.advice(report))
    assert "Tesla T4" in text and "tensorflow[and-cuda]" in text and "WSL2" in text
    assert "No GPU" not in text


def test_advice_low_memory():
    text = joined(hardware.advice(make_report(memory_total_gb=4.0, memory_available_gb=1.5)))
    assert "Low memory" in text and "4.0 GB" in text
    assert "Low memory" not in joined(hardware.advice(make_report()))


def test_advice_little_free_memory_and_unknown_memory():
    busy = make_report(memory_total_gb=16.0, memory_available_gb=1.0)
    assert "1.0 GB of memory is free" in joined(hardware.advice(busy))
    unknown = make_report(memory_total_gb=None, memory_available_gb=None)
    assert "Could not read" in joined(hardware.advice(unknown))


def test_advice_mixed_float16_on_tensor_core_gpu():
    report = make_report(gpus=(RTX,), gpu_in_use=True, mixed_precision_policy="mixed_float16")
    text = joined(hardware.advice(report))
    assert "mixed_float16" in text and "Tensor Cores" in text and "8.6" in text


def test_advice_mixed_bfloat16_on_bf16_cpu():
    report = make_report(cpu_supports_bf16=True, mixed_precision_policy="mixed_bfloat16")
    assert "mixed_bfloat16" in joined(hardware.advice(report))


def test_advice_no_mixed_precision():
    assert "keep float32" in joined(hardware.advice(make_report()))
    old_gpu = make_report(gpus=(GTX,), gpu_in_use=True)
    text = joined(hardware.advice(old_gpu))
    assert "would not speed up" in text and "mixed_float16" not in text


def test_advice_translates_benchmark_into_epoch_time():
    lines = hardware.advice(make_report(), make_bench(images_per_second=1000.0))
    bench_line = lines[-1]
    assert "1,000 images per second" in bench_line
    assert "60,000" in bench_line
    assert "about 60 seconds" in bench_line  # 60,000 images / 1,000 per second
    assert "rough estimate" in bench_line
    slow = hardware.advice(make_report(), make_bench(images_per_second=100.0))[-1]
    assert "about 10 minutes" in slow


def test_advice_without_benchmark_has_no_estimate():
    assert "60,000" not in joined(hardware.advice(make_report()))


# ---------------------------------------------------------------------- format_report


def test_format_report_lines_are_aligned_and_plain():
    text = hardware.format_report(make_report(), make_bench())
    assert re.search(r"GPU used by TensorFlow:\s+no$", text, flags=re.MULTILINE)
    keyed = [line for line in text.splitlines() if re.match(r"^  [A-Z][^:]*:\s", line)]
    assert len(keyed) >= 8
    columns = {re.match(r"^(  [^:]+:\s+)", line).end() for line in keyed}
    assert len(columns) == 1, "values should start in one column"
    assert "Test CPU (2 cores usable)" in text
    assert "20,042 parameters" in text
    advice_part = text.split("Advice:", 1)[1]
    assert "No GPU" in advice_part and "60,000" in advice_part


def test_format_report_gpu_in_use():
    report = make_report(gpus=(RTX,), gpu_in_use=True, mixed_precision_policy="mixed_float16")
    text = hardware.format_report(report)
    assert re.search(r"GPU used by TensorFlow:\s+yes$", text, flags=re.MULTILINE)
    assert "NVIDIA GeForce RTX 3080 (GPU:0, compute capability 8.6, 10 GB)" in text
    assert "Benchmark" not in text


def test_format_report_on_this_machine(report):
    text = hardware.format_report(report)
    assert report.tensorflow_version in text and report.keras_version in text
    assert "GPU used by TensorFlow" in text and "Advice:" in text


# ------------------------------------------------------------------------- benchmark


def expected_parameters(channels: int, num_classes: int) -> int:
    conv1 = 3 * 3 * channels * 32 + 32
    conv2 = 3 * 3 * 32 * 64 + 64
    dense = 64 * num_classes + num_classes
    return conv1 + conv2 + dense


def test_benchmark_tiny_run():
    import keras

    policy_before = keras.mixed_precision.global_policy().name
    result = hardware.benchmark(**TINY)
    assert keras.mixed_precision.global_policy().name == policy_before
    assert result.images_per_second > 0 and result.seconds > 0
    assert (result.steps, result.batch_size, result.image_size) == (2, 8, 16)
    assert result.parameters == 20_042 == expected_parameters(3, 10)
    model = hardware.build_benchmark_model(16, 3, 10)
    assert result.parameters == model.count_params()
    assert result.images_per_second == pytest.approx(2 * 8 / result.seconds)
    assert result.dtype_policy == "float32"
    if not tf_sees_gpu():
        assert result.device == "CPU:0"


def test_benchmark_other_shapes_count_parameters():
    result = hardware.benchmark(channels=1, num_classes=5, **TINY)
    assert result.parameters == expected_parameters(1, 5) == 19_141


def test_benchmark_times_exactly_the_requested_steps(monkeypatch):
    import keras

    calls = []
    original = keras.Model.train_on_batch

    def counting(self, *args, **kwargs):
        calls.append(len(args[0]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "train_on_batch", counting)
    result = hardware.benchmark(image_size=8, batch_size=4, steps=3, warmup_steps=2)
    assert calls == [4] * (2 + 3)  # warm-up steps, then the timed steps, one batch each
    assert result.steps == 3


def test_benchmark_mixed_precision_leaves_global_policy_alone():
    import keras

    policy_before = keras.mixed_precision.global_policy().name
    result = hardware.benchmark(dtype_policy="mixed_bfloat16", **TINY)
    assert keras.mixed_precision.global_policy().name == policy_before
    assert result.dtype_policy == "mixed_bfloat16"
    assert result.images_per_second > 0
    assert result.parameters == 20_042


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image_size": 7}, r"image_size must be a whole number >= 8"),
        ({"image_size": 16.0}, r"image_size"),
        ({"channels": 0}, r"channels must be a positive whole number"),
        ({"batch_size": 0}, r"batch_size must be a positive whole number"),
        ({"batch_size": True}, r"batch_size"),
        ({"steps": -1}, r"steps must be a positive whole number"),
        ({"steps": 2.5}, r"steps"),
        ({"warmup_steps": 0}, r"warmup_steps must be a positive whole number"),
        ({"num_classes": 1}, r"num_classes must be a whole number >= 2"),
        ({"seed": -1}, r"seed must be a whole number >= 0"),
        ({"dtype_policy": "float16"}, r"dtype_policy must be one of"),
    ],
)
def test_benchmark_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hardware.benchmark(**kwargs)


def test_format_report_with_real_benchmark(report):
    bench = hardware.benchmark(**TINY)
    text = hardware.format_report(report, bench)
    assert f"{bench.images_per_second:,.0f} images/s" in text
    assert "rough estimate" in text
