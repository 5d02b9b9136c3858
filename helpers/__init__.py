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

__version__ = "0.1.0"
