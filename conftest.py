"""Test-session settings shared by the unit tests and the notebook runs (nbval).

The test suite is defined to run in fast mode with labelled stand-ins allowed, so
that the README's single test command passes on any machine. An explicit value in
the environment wins (``COURSE_FAST=0 pytest course/`` runs notebooks in full).
Notebook kernels started by nbval inherit these variables.
"""

import os

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_ALLOW_STANDIN", "1")
# Headless plotting in the test process; notebook kernels pick their own backend.
os.environ.setdefault("MPLBACKEND", "Agg")
# TensorFlow's C++ start-up chatter (oneDNN notices, CUDA probes) is noise here.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
