"""The course's hardware check: versions, CPU/GPU report and a throughput benchmark.

Chapter 00 and ``python -m helpers doctor`` use this module to tell a learner, in
plain words, what the machine can do for the course:

- which Python, TensorFlow and Keras versions are installed;
- what CPU, how many cores and how much memory there are;
- whether a GPU is present and whether TensorFlow actually runs on it;
- whether mixed precision is worth turning on;
- how fast a small CNN trains here (:func:`benchmark`).

Example::

    from helpers import hardware
    report = hardware.collect()
    print(hardware.format_report(report, hardware.benchmark()))

Only the standard library, NumPy and TensorFlow/Keras are used. TensorFlow is
imported inside the functions that need it, so ``import helpers.hardware`` is
cheap. Anything the operating system does not tell us (memory on Windows, the
CPU name on some ARM boards) is reported as ``None`` rather than raising.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "GPUInfo",
    "HardwareReport",
    "BenchmarkResult",
    "collect",
    "benchmark",
    "advice",
    "format_report",
    "uses_gpu",
    "build_benchmark_model",
    "parse_cpu_model",
    "parse_cpu_bf16",
    "parse_meminfo",
    "parse_nvidia_smi",
    "read_memory_gb",
    "mixed_precision_policy_for",
    "estimate_epoch_seconds",
    "LOW_MEMORY_GB",
    "MNIST_EPOCH_IMAGES",
]

#: Below this much RAM (in GB) the report warns; the course is sized for 8 GB.
LOW_MEMORY_GB = 8.0
#: Images in one epoch of MNIST's training set, the yardstick for the estimate.
MNIST_EPOCH_IMAGES = 60_000
#: Tensor Cores (the hardware that makes float16 fast) start at compute capability 7.0.
MIXED_FLOAT16_MIN_CAPABILITY = (7, 0)

_GIB = 2**30  # RAM is sold in binary gigabytes, so "8 GB" here means 8 * 2**30 bytes
_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})  # x86 /proc/cpuinfo "flags"
_ARM_BF16_FEATURE = "bf16"  # aarch64 /proc/cpuinfo "Features"
_BENCHMARK_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class GPUInfo:
    """One GPU that TensorFlow can see.

    ``device`` is the name to use with ``tf.device`` (``"GPU:0"``);
    ``compute_capability`` is ``(major, minor)`` for NVIDIA GPUs and ``None``
    otherwise; ``memory_gb`` is the card's total memory when ``nvidia-smi``
    reports it, else ``None``.
    """

    name: str
    device: str
    compute_capability: tuple[int, int] | None
    memory_gb: float | None


@dataclass(frozen=True)
class HardwareReport:
    """Everything :func:`collect` found out about this machine.

    Memory is in GB (2**30 bytes); ``None`` means the operating system did not
    say. ``gpus`` are the GPUs TensorFlow sees; ``system_gpus`` are NVIDIA GPUs
    the operating system reports (``nvidia-smi``), which lets the advice spot a
    GPU that TensorFlow cannot use.
    """

    python_version: str
    platform: str
    tensorflow_version: str
    keras_version: str
    keras_backend: str
    cpu_model: str
    cpu_count: int
    memory_total_gb: float | None
    memory_available_gb: float | None
    gpus: tuple[GPUInfo, ...]
    tf_built_with_cuda: bool
    gpu_in_use: bool
    mixed_precision_policy: str | None
    cpu_supports_bf16: bool
    system_gpus: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchmarkResult:
    """What :func:`benchmark` measured.

    ``seconds`` covers exactly ``steps`` training steps of ``batch_size``
    images each, after the warm-up; ``device`` is where the model's weights
    lived (``"CPU:0"``, ``"GPU:0"``); ``parameters`` is the model's size.
    """

    images_per_second: float
    seconds: float
    steps: int
    batch_size: int
    image_size: int
    device: str
    parameters: int
    dtype_policy: str = "float32"


# ------------------------------------------------------------- parsing (text in, value out)


def _cpuinfo_fields(text: str, key: str) -> list[str]:
    """All values of ``key`` in /proc/cpuinfo text (one per logical CPU).

    Keys are case-sensitive: old ARM kernels' ``Processor`` is the CPU's name,
    while every kernel's ``processor`` is just its index.
    """
    values = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() == key:
            values.append(value.strip())
    return values


def parse_cpu_model(cpuinfo_text: str) -> str | None:
    """The CPU's name from /proc/cpuinfo text, or ``None`` if it has none.

    x86 kernels write ``model name``; ARM kernels may write only ``Hardware``,
    ``Model`` (Raspberry Pi) or ``Processor`` (older 32-bit ARM), used as fallbacks.
    """
    for key in ("model name", "Hardware", "Model", "cpu model", "Processor"):
        for value in _cpuinfo_fields(cpuinfo_text, key):
            if value:
                return value
    return None


def parse_cpu_bf16(cpuinfo_text: str) -> bool:
    """True when /proc/cpuinfo text advertises bfloat16 instructions.

    x86: the ``avx512_bf16`` or ``amx_bf16`` flag; aarch64: ``bf16`` in ``Features``.
    """
    for flags in _cpuinfo_fields(cpuinfo_text, "flags"):
        if _BF16_FLAGS & set(flags.split()):
            return True
    return any(
        _ARM_BF16_FEATURE in features.split()
        for features in _cpuinfo_fields(cpuinfo_text, "Features")
    )


def parse_meminfo(meminfo_text: str) -> tuple[float | None, float | None]:
    """``(total_gb, available_gb)`` from /proc/meminfo text; ``None`` for a missing field.

    ``MemAvailable`` (kernels since 3.14) is the kernel's own estimate of what a
    new program can use; older kernels get ``MemFree + Buffers + Cached``.
    """
    kib: dict[str, int] = {}
    for line in meminfo_text.splitlines():
        match = re.match(r"^\s*(\w+):\s+(\d+)\s*(kB)?\s*$", line)
        if match:
            kib[match.group(1)] = int(match.group(2))

    def to_gb(value: int | None) -> float | None:
        return None if value is None else value * 1024 / _GIB

    available = kib.get("MemAvailable")
    if available is None and "MemFree" in kib:
        available = kib["MemFree"] + kib.get("Buffers", 0) + kib.get("Cached", 0)
    return to_gb(kib.get("MemTotal")), to_gb(available)


def parse_nvidia_smi(csv_text: str) -> list[tuple[str, float | None]]:
    """``[(name, memory_gb), ...]`` from ``nvidia-smi --query-gpu=name,memory.total``.

    Expects ``--format=csv,noheader,nounits`` output (memory in MiB); a value
    that is not a number (``[N/A]``) gives ``None``.
    """
    gpus = []
    for line in csv_text.splitlines():
        if not line.strip():
            continue
        name, _, memory = line.rpartition(",")
        if not name:  # no comma: a name without a memory column
            name, memory = memory, ""
        try:
            memory_gb: float | None = float(memory.strip()) * 2**20 / _GIB
        except ValueError:
            memory_gb = None
        gpus.append((name.strip(), memory_gb))
    return gpus


def mixed_precision_policy_for(gpus: Iterable[GPUInfo], cpu_supports_bf16: bool) -> str | None:
    """The Keras mixed-precision policy worth using here, or ``None`` for plain float32.

    ``"mixed_float16"`` needs a GPU with Tensor Cores (compute capability >= 7.0);
    without one, ``"mixed_bfloat16"`` can help only on a CPU with bfloat16 instructions. This
    says what the hardware allows; whether a network gains is measured, not assumed
    (``benchmarks/layer_speed.py``: on the reference CPU the course's fast networks did not).
    """
    for gpu in gpus:
        cc = gpu.compute_capability
        if cc is not None and tuple(cc) >= MIXED_FLOAT16_MIN_CAPABILITY:
            return "mixed_float16"
    return "mixed_bfloat16" if cpu_supports_bf16 else None


def estimate_epoch_seconds(images_per_second: float, images: int = MNIST_EPOCH_IMAGES) -> float:
    """Seconds to train on ``images`` images at ``images_per_second``."""
    if images_per_second <= 0:
        raise ValueError(f"images_per_second must be positive, got {images_per_second!r}")
    return images / images_per_second


# ---------------------------------------------------------------- reading the machine


def _read_text(path: str | Path) -> str | None:
    """A small system file's text, or ``None`` when it does not exist (macOS, Windows)."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _run(command: Sequence[str], timeout: float = 5.0) -> str | None:
    """stdout of a short command, or ``None`` if it is missing, fails or hangs."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def read_memory_gb(meminfo_path: str | Path = "/proc/meminfo") -> tuple[float | None, float | None]:
    """``(total_gb, available_gb)`` of RAM; ``None`` for whatever cannot be read.

    Linux: /proc/meminfo. Elsewhere ``os.sysconf`` where it exists (macOS knows
    the total but not what is available; Windows has no ``sysconf``).
    """
    text = _read_text(meminfo_path)
    total, available = parse_meminfo(text) if text is not None else (None, None)

    def sysconf_gb(pages_name: str) -> float | None:
        try:
            pages = os.sysconf(pages_name)
            page_size = os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            return None
        if pages <= 0 or page_size <= 0:  # -1 means "not known"
            return None
        return pages * page_size / _GIB

    if total is None:
        total = sysconf_gb("SC_PHYS_PAGES")
    if available is None:
        available = sysconf_gb("SC_AVPHYS_PAGES")
    return total, available


def _cpu_count() -> int:
    """Cores this process may use (a container or ``taskset`` can allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on macOS or Windows
        return os.cpu_count() or 1


def _cpu_model(cpuinfo_text: str | None) -> str:
    """The CPU's name from /proc/cpuinfo, ``sysctl`` on macOS, or ``platform``."""
    model = parse_cpu_model(cpuinfo_text) if cpuinfo_text else None
    if not model and platform.system() == "Darwin":
        model = (_run(["sysctl", "-n", "machdep.cpu.brand_string"]) or "").strip() or None
    return model or platform.processor() or platform.machine() or "unknown"


def _system_gpus() -> list[tuple[str, float | None]]:
    """NVIDIA GPUs the operating system reports, whether or not TensorFlow can use them."""
    out = _run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"])
    if out:
        return parse_nvidia_smi(out)
    # Without nvidia-smi on the PATH the driver still lists its GPUs under /proc.
    gpus = []
    for info in sorted(Path("/proc/driver/nvidia/gpus").glob("*/information")):
        text = _read_text(info) or ""
        match = re.search(r"^Model:\s*(.+)$", text, flags=re.MULTILINE)
        if match:
            gpus.append((match.group(1).strip(), None))
    return gpus


def _short_device(device: str) -> str:
    """``"/job:localhost/.../device:GPU:0"`` or ``"/physical_device:GPU:0"`` -> ``"GPU:0"``."""
    match = re.search(r"([A-Za-z_]+:\d+)$", device or "")
    return match.group(1) if match else (device or "unknown")


def _import_tf():
    """TensorFlow, imported on first use so that importing this module stays cheap."""
    try:
        import tensorflow as tf
    except ImportError as exc:  # pragma: no cover - TensorFlow is a course dependency
        raise ImportError(
            "TensorFlow is not installed in this environment; install the course with "
            "pip install -e . (see the README) and try again."
        ) from exc
    return tf


def _tf_gpus(system_gpus: Sequence[tuple[str, float | None]]) -> tuple[GPUInfo, ...]:
    """The GPUs TensorFlow sees, with names and compute capabilities from TensorFlow."""
    tf = _import_tf()
    memory_by_name = {name: memory for name, memory in system_gpus}
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
        except Exception:  # details are optional; some plugins do not give them
            details = {}
        name = str(details.get("device_name") or _short_device(device.name))
        cc = details.get("compute_capability")
        capability = (int(cc[0]), int(cc[1])) if cc else None
        gpus.append(GPUInfo(name, _short_device(device.name), capability, memory_by_name.get(name)))
    return tuple(gpus)


def uses_gpu() -> bool:
    """True when TensorFlow's default placement puts a small matmul on a GPU.

    Seeing a GPU is not enough (drivers or CUDA libraries can be missing), so
    this runs one operation and checks where it ran.
    """
    tf = _import_tf()
    if not tf.config.list_physical_devices("GPU"):
        return False
    try:
        a = tf.random.stateless_uniform((64, 64), seed=(1, 2))
        result = tf.matmul(a, a)
        _ = result.numpy()  # make sure it really ran
    except Exception:  # any failure here means "not usable"
        return False
    return "GPU" in result.device.upper()


def collect() -> HardwareReport:
    """Look at this machine and return a :class:`HardwareReport`.

    Takes a second or two, most of it importing TensorFlow. Never raises for
    information the operating system does not give; those fields are ``None``.
    """
    tf = _import_tf()
    import keras

    cpuinfo = _read_text("/proc/cpuinfo")
    system_gpus = _system_gpus()
    gpus = _tf_gpus(system_gpus)
    cpu_bf16 = parse_cpu_bf16(cpuinfo) if cpuinfo else False
    total_gb, available_gb = read_memory_gb()
    return HardwareReport(
        python_version=platform.python_version(),
        platform=platform.platform(),
        tensorflow_version=tf.__version__,
        keras_version=keras.__version__,
        keras_backend=keras.backend.backend(),
        cpu_model=_cpu_model(cpuinfo),
        cpu_count=_cpu_count(),
        memory_total_gb=total_gb,
        memory_available_gb=available_gb,
        gpus=gpus,
        tf_built_with_cuda=bool(tf.test.is_built_with_cuda()),
        gpu_in_use=uses_gpu() if gpus else False,
        mixed_precision_policy=mixed_precision_policy_for(gpus, cpu_bf16),
        cpu_supports_bf16=cpu_bf16,
        system_gpus=tuple(name for name, _ in system_gpus),
    )


# ------------------------------------------------------------------------ benchmark


def _check_int(name: str, value: object, minimum: int) -> int:
    """``value`` as an int if it is a whole number >= ``minimum``; else a clear ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        what = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def build_benchmark_model(
    image_size: int = 32,
    channels: int = 3,
    num_classes: int = 10,
    *,
    seed: int = 0,
    dtype_policy: str = "float32",
):
    """The benchmark's small CNN (uncompiled): two conv/pool blocks, global pooling, dense.

    Conv 32 3x3 -> max-pool -> Conv 64 3x3 -> max-pool -> global average pool
    -> Dense(``num_classes``) logits. ``padding="same"`` and global pooling make
    the parameter count independent of ``image_size``:
    ``(9 * channels * 32 + 32) + (9 * 32 * 64 + 64) + (64 * num_classes + num_classes)``,
    20,042 for the defaults. The policy is set per layer, never globally.
    """
    import keras

    def init(offset: int):
        # Seeded initialisers give the same weights every run without touching global seeds.
        return keras.initializers.GlorotUniform(seed=seed + offset)

    layers = keras.layers
    inputs = keras.Input(shape=(image_size, image_size, channels), name="images")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=init(0),
                      dtype=dtype_policy, name="conv1")(inputs)
    x = layers.MaxPooling2D(dtype=dtype_policy, name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", kernel_initializer=init(1),
                      dtype=dtype_policy, name="conv2")(x)
    x = layers.MaxPooling2D(dtype=dtype_policy, name="pool2")(x)
    x = layers.GlobalAveragePooling2D(dtype=dtype_policy, name="gap")(x)
    # Logits stay float32 under mixed precision so that the softmax/loss is numerically safe.
    outputs = layers.Dense(num_classes, kernel_initializer=init(2), dtype="float32",
                           name="logits")(x)
    return keras.Model(inputs, outputs, name="benchmark_cnn")


def benchmark(
    *,
    image_size: int = 32,
    channels: int = 3,
    batch_size: int = 64,
    steps: int = 20,
    warmup_steps: int = 3,
    num_classes: int = 10,
    seed: int = 0,
    dtype_policy: str = "float32",
) -> BenchmarkResult:
    """Train the small CNN of :func:`build_benchmark_model` on random data and time it.

    The first ``warmup_steps`` steps (graph tracing, memory allocation) are not
    timed; the clock covers exactly the next ``steps`` calls of the compiled
    training step, each on ``batch_size`` images. ``dtype_policy`` may be
    ``"mixed_float16"`` or ``"mixed_bfloat16"`` to try mixed precision; it is
    applied to the benchmark's layers only, so Keras's global policy and global
    random seeds are left as they were. About 2-5 s with the defaults on two CPU cores.
    """
    image_size = _check_int("image_size", image_size, 8)  # two 2x2 poolings need room
    channels = _check_int("channels", channels, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    steps = _check_int("steps", steps, 1)
    # At least one untimed step: the first call traces and compiles the graph.
    warmup_steps = _check_int("warmup_steps", warmup_steps, 1)
    num_classes = _check_int("num_classes", num_classes, 2)
    seed = _check_int("seed", seed, 0)
    if dtype_policy not in _BENCHMARK_POLICIES:
        raise ValueError(
            f"dtype_policy must be one of {', '.join(_BENCHMARK_POLICIES)}, got {dtype_policy!r}"
        )

    tf = _import_tf()
    import keras

    model = build_benchmark_model(
        image_size, channels, num_classes, seed=seed, dtype_policy=dtype_policy
    )
    optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    if dtype_policy == "mixed_float16":
        # float16 gradients underflow without loss scaling; compile() would only add it
        # under a global mixed_float16 policy, which the benchmark must not set.
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=False,  # XLA compilation would add seconds of start-up to a short benchmark
    )

    rng = np.random.default_rng(seed)
    x = tf.constant(rng.random((batch_size, image_size, image_size, channels), dtype=np.float32))
    y = tf.constant(rng.integers(0, num_classes, size=batch_size, dtype=np.int32))

    for _ in range(warmup_steps):
        model.train_on_batch(x, y)
    # train_on_batch runs the compiled (tf.function) step and returns the loss as a NumPy
    # value, which waits for the device to finish: each timed call is one complete step.
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    seconds = max(time.perf_counter() - start, 1e-9)

    device = _short_device(getattr(model.weights[0].value, "device", ""))
    return BenchmarkResult(
        images_per_second=steps * batch_size / seconds,
        seconds=seconds,
        steps=steps,
        batch_size=batch_size,
        image_size=image_size,
        device=device,
        parameters=int(model.count_params()),
        dtype_policy=dtype_policy,
    )


# --------------------------------------------------------------------- advice, report


def _human_seconds(seconds: float) -> str:
    """``"about 40 seconds"``, ``"about 3 minutes"``, ``"about 1.5 hours"``."""
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {seconds:.0f} second{'s' if round(seconds) != 1 else ''}"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.0f} minutes"
    return f"about {seconds / 3600:.1f} hours"


def _names(names: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(names))  # unique, in order: "2x RTX 3090" reads as one


def _gpu_advice(report: HardwareReport) -> str:
    cores = f"{report.cpu_count} CPU core{'s' if report.cpu_count != 1 else ''}"
    present = [g.name for g in report.gpus] or list(report.system_gpus)
    if report.gpu_in_use and report.gpus:
        plural = len(report.gpus) > 1
        subject, verb, obj = ("GPUs", "are", "them") if plural else ("A GPU", "is", "it")
        return (
            f"{subject} ({_names([g.name for g in report.gpus])}) {verb} visible and "
            f"TensorFlow uses {obj}. "
            "The notebooks' default mode will train in seconds to a few minutes per run."
        )
    if present:
        start = f"A GPU ({_names(present)}) is present but TensorFlow does not use it"
        if report.tf_built_with_cuda:
            return (
                f"{start}: the CUDA libraries or the NVIDIA driver are missing. On Linux "
                "install the CUDA-enabled build with pip install 'tensorflow[and-cuda]' and "
                "check that nvidia-smi works; then restart Python and run this check again. "
                f"Until then TensorFlow runs on the {cores}."
            )
        return (
            f"{start}: this TensorFlow build has no CUDA support. On Linux install the "
            "CUDA-enabled build with pip install 'tensorflow[and-cuda]'; on Windows run the "
            "course in WSL2 (native Windows TensorFlow has no GPU support since 2.11). "
            f"Until then TensorFlow runs on the {cores}."
        )
    text = (
        f"No GPU: TensorFlow runs on the {cores}. Every notebook has a default mode sized "
        "for a CPU; expect minutes, not seconds, per training run."
    )
    if "macos" in report.platform.lower() and "arm64" in report.platform.lower():
        text += (
            " This Mac has an Apple GPU: pip install tensorflow-metal lets TensorFlow use it "
            "(optional; the course does not need it)."
        )
    return text


def _mixed_precision_advice(report: HardwareReport) -> str:
    policy = report.mixed_precision_policy
    if policy == "mixed_float16":
        fast = [g for g in report.gpus if g.compute_capability
                and g.compute_capability >= MIXED_FLOAT16_MIN_CAPABILITY]
        gpu = fast[0] if fast else None
        where = (f" ({gpu.name}, compute capability {gpu.compute_capability[0]}."
                 f"{gpu.compute_capability[1]})") if gpu else ""
        return (
            f"Mixed precision is worth trying: the GPU{where} has Tensor Cores. Calling "
            "keras.mixed_precision.set_global_policy('mixed_float16') before building a model "
            "often trains 1.5-3x faster; keep the model's last layer in float32."
        )
    if policy == "mixed_bfloat16":
        return (
            "This CPU supports bfloat16 (avx512_bf16/amx_bf16): "
            "keras.mixed_precision.set_global_policy('mixed_bfloat16') may speed up larger "
            "models; for the course's small models the default float32 is fine."
        )
    if report.gpu_in_use:
        return (
            "Mixed precision would not speed up this GPU (no Tensor Cores: compute capability "
            "below 7.0 or unknown); keep the default float32."
        )
    return "Mixed precision would not help on this CPU (no bfloat16 support); keep float32."


def _memory_advice(report: HardwareReport) -> list[str]:
    total, available = report.memory_total_gb, report.memory_available_gb
    if total is None:
        return [
            f"Could not read how much memory this machine has; the course is sized for "
            f"about {LOW_MEMORY_GB:.0f} GB."
        ]
    lines = []
    if total < LOW_MEMORY_GB:
        lines.append(
            f"Low memory: only {total:.1f} GB of RAM (the course is sized for "
            f"{LOW_MEMORY_GB:.0f} GB). Close other programs while training, keep the "
            "notebooks' default batch sizes and shut down notebook kernels you are done with."
        )
    elif available is not None and available < 2.0:
        lines.append(
            f"Only {available:.1f} GB of memory is free right now: close other programs "
            "before training."
        )
    return lines


def _benchmark_advice(bench: BenchmarkResult) -> str:
    epoch = estimate_epoch_seconds(bench.images_per_second)
    return (
        f"Benchmark: about {bench.images_per_second:,.0f} images per second training a small "
        f"CNN ({bench.parameters:,} parameters, {bench.image_size}x{bench.image_size} images) "
        f"on {bench.device}. At this throughput one epoch of {MNIST_EPOCH_IMAGES:,} MNIST-size "
        f"images would take {_human_seconds(epoch)}. That is a rough estimate for the "
        "benchmark's small net; the course's larger models take longer per image."
    )


def advice(report: HardwareReport, bench: BenchmarkResult | None = None) -> list[str]:
    """Plain-words advice for a learner, one sentence or short paragraph per item.

    In order: GPU (absent, used, or present but unused and how to fix it),
    mixed precision, memory, and, when a benchmark result is given, what its
    throughput means for training time.
    """
    lines = [_gpu_advice(report), _mixed_precision_advice(report)]
    lines += _memory_advice(report)
    if bench is not None:
        lines.append(_benchmark_advice(bench))
    return lines


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _gb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} GB"


def format_report(report: HardwareReport, bench: BenchmarkResult | None = None) -> str:
    """The report as readable text: aligned ``key: value`` lines, then the advice.

    Includes a line ``GPU used by TensorFlow: yes`` (or ``no``) in plain words.
    """
    gpus = "; ".join(
        f"{g.name} ({g.device}"
        + (f", compute capability {g.compute_capability[0]}.{g.compute_capability[1]}"
           if g.compute_capability else "")
        + (f", {g.memory_gb:.0f} GB" if g.memory_gb is not None else "")
        + ")"
        for g in report.gpus
    ) or "none"
    rows = [
        ("Python", report.python_version),
        ("Platform", report.platform),
        ("TensorFlow", f"{report.tensorflow_version} (built with CUDA: "
                       f"{_yes_no(report.tf_built_with_cuda)})"),
        ("Keras", f"{report.keras_version} (backend: {report.keras_backend})"),
        ("CPU", f"{report.cpu_model} ({report.cpu_count} "
                f"core{'s' if report.cpu_count != 1 else ''} usable)"),
        ("CPU bfloat16", _yes_no(report.cpu_supports_bf16)),
        ("Memory", f"{_gb(report.memory_total_gb)} total, "
                   f"{_gb(report.memory_available_gb)} available"),
        ("GPUs TensorFlow sees", gpus),
    ]
    if report.system_gpus:
        rows.append(("NVIDIA GPUs (system)", _names(report.system_gpus)))
    rows += [
        ("GPU used by TensorFlow", _yes_no(report.gpu_in_use)),
        ("Mixed precision", report.mixed_precision_policy or "not worth it here (float32)"),
    ]
    if bench is not None:
        rows.append((
            "Benchmark",
            f"{bench.images_per_second:,.0f} images/s on {bench.device} ({bench.steps} steps "
            f"x {bench.batch_size} images of {bench.image_size}x{bench.image_size}, "
            f"{bench.parameters:,} parameters, {bench.seconds:.2f} s, {bench.dtype_policy})",
        ))
    width = max(len(key) for key, _ in rows) + 1  # +1 for the colon
    lines = ["Hardware report", ""]
    lines += [f"  {key + ':':<{width}} {value}" for key, value in rows]
    lines += ["", "Advice:"]
    for item in advice(report, bench):
        lines.append(textwrap.fill(item, width=88, initial_indent="  - ",
                                   subsequent_indent="    "))
    return "\n".join(lines)
