"""Helpers for the Deep Computer Vision course.

Small modules, each imported on its own so that ``import helpers`` stays fast
and does not load TensorFlow:

- :mod:`helpers.config`: fast mode, data directory, stand-in switch, seeding.
- :mod:`helpers.data`: dataset registry, download/import with checksums, loaders.
- :mod:`helpers.conv`: NumPy convolution and pooling for teaching.
- :mod:`helpers.viz`: image grids, training curves, confusion matrices, filters.
- :mod:`helpers.hardware`: versions, CPU/GPU report and a throughput benchmark.
- :mod:`helpers.checks`: in-notebook checks for the labs.

The command line is ``python -m helpers`` (``doctor``, ``data …``).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up notices (CUDA probes on CPU machines, oneDNN messages) bury a
# learner's first output; keep warnings and errors only. Notebooks import helpers before
# TensorFlow, so this takes effect; an explicit setting by the user wins.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
