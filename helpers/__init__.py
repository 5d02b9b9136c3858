"""Helpers for the Deep Computer Vision course.

Small modules, each imported on its own so that ``import helpers`` stays fast
and does not load TensorFlow:

- :mod:`helpers.config`: fast mode, data directory, stand-in switch, seeding.
- :mod:`helpers.data`: dataset registry, download/import with checksums, loaders.
- :mod:`helpers.conv`: NumPy convolution and pooling for teaching.
- :mod:`helpers.viz`: image grids, training curves, confusion matrices, filters.
- :mod:`helpers.hardware`: versions, CPU/GPU report and a throughput benchmark.
- :mod:`helpers.models`: the seeds' architectures and the course's fast CPU networks.
- :mod:`helpers.training`: image preparation, epoch timer, one-cycle schedule.
- :mod:`helpers.bench`: training recipes of chapters 06–08 and the benchmark.
- :mod:`helpers.metrics`: precision, recall and confusions from a confusion matrix.
- :mod:`helpers.schedules`: learning-rate schedules as plain functions.
- :mod:`helpers.augment`: NumPy transforms, mixup, test-time augmentation.
- :mod:`helpers.ensemble`: averaging and voting over several models' predictions.
- :mod:`helpers.toynet`, :mod:`helpers.explorer`: chapter 02's network, chapter 03's explorer.
- :mod:`helpers.explorers`: the other interactive explorers (pooling, activations,
  augmentation, optimizer paths, feature maps, detection).
- :mod:`helpers.architectures`, :mod:`helpers.diagrams`: classic networks built from Keras
  layers with their arithmetic, and block diagrams of models (chapter 13).
- :mod:`helpers.interpret`, :mod:`helpers.gradcam_explorer`: what a CNN learned: saliency,
  Grad-CAM, activation maximization, feature space (chapter 14).
- :mod:`helpers.pretrained`: ImageNet models: EfficientNet-Lite0 offline, the Keras families.
- :mod:`helpers.transfer`: freezing, heads, cached features, image folders (chapter 16).
- :mod:`helpers.layer_math`: weights, multiply-adds and output sizes of layers (all chapters).
- :mod:`helpers.concept_diagrams`: figures of ideas: chapter 02's network forward and backward,
  stacked feature maps and receptive fields, the data split and fitting regimes, optimizer paths.
- :mod:`helpers.boxes`, :mod:`helpers.detection_metrics`, :mod:`helpers.canvases`: box
  formats, IoU and NMS; precision–recall, AP and mAP; digit canvases with exact boxes and
  masks (chapters 17–19).
- :mod:`helpers.localization`, :mod:`helpers.classic_detection`, :mod:`helpers.yolo`,
  :mod:`helpers.detection_diagrams`, :mod:`helpers.segmentation`: the models and pictures of
  chapters 17 (a two-headed localizer), 18 (sliding windows, HOG + SVM, Haar, MTCNN, a YOLO-style
  detector) and 19 (FCN, U-Net, IoU and Dice metrics).
- :mod:`helpers.generative`, :mod:`helpers.faces`, :mod:`helpers.handcrafted`: chapters 20 (Gram
  matrix, style and GAN losses, DeepDream, style transfer, DCGANs), 21 (LittleVGG, age/gender
  heads, contrastive and triplet losses, siamese verification) and 22 (HOG, shape and intensity
  features, the contenders' comparison).
- :mod:`helpers.deploy`, :mod:`helpers.tb_logs`: chapter 23's export to `.keras`, SavedModel and
  TensorFlow Lite (float, int8) with size and latency, and TensorBoard logs read back.
- :mod:`helpers.model_cache`, :mod:`helpers.timing`: trained networks saved for later chapters,
  and a chapter's expected time on this machine scaled from its measured reference time.
- :mod:`helpers.labs`: labs: building them, exercise declarations, in-notebook checks,
  grading outside the learner's kernel, the student edition.

The command line is ``python -m helpers`` (``doctor``, ``data …``, ``labs …``, ``grade …``,
``bench …``).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up notices (CUDA probes on CPU machines, oneDNN messages) bury a
# learner's first output; keep warnings and errors only. Notebooks import helpers before
# TensorFlow, so this takes effect; an explicit setting by the user wins.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Some of them are written before that setting is read, straight to the process's stderr, which
# Jupyter shows as red boxes: the first TensorFlow import runs with that stderr silenced.
from . import _quiet_tf  # noqa: E402

_quiet_tf.install()
