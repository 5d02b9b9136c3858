"""Interactive explorers (ipywidgets) for chapters 02, 05, 06, 10, 11 and 18.

Each module has the same two layers as chapter 03's :mod:`helpers.explorer`: a **pure
function** that computes everything the explorer shows (testable, callable from a
notebook), and a thin **user interface** whose widgets are attributes, so that a test — or
a curious learner — can set ``.value`` from code and read ``.result`` and ``.message``.
Invalid input typed in a text field shows a ``⚠`` message in the widget, never a traceback.

==========================  =============================  ==================================
module                      pure function(s)               explorer (chapter)
==========================  =============================  ==================================
:mod:`.pooling`             :func:`~.pooling.pool`,        :func:`~.pooling.pooling_explorer`
                            :func:`~.pooling.parse_grid`   (05: window, stride, max/avg,
                                                           winners on a grid and a photo)
:mod:`.activations`         :func:`~.activations.          :func:`~.activations.
                            activation_curves`,            activation_explorer` (02, 11:
                            :func:`~.activations.          f, f′, vanishing gradients)
                            evaluate_at`
:mod:`.augmentation`        :func:`~.augmentation.         :func:`~.augmentation.
                            augment_draws`,                augmentation_explorer` (10:
                            :func:`~.augmentation.         strengths, random draws, fill
                            flip_digit`                    mode, flipped digits)
:mod:`.optimizers`          :func:`~.optimizers.           :func:`~.optimizers.
                            optimizer_path`,               optimizer_explorer` (11: paths of
                            :func:`~.optimizers.           SGD, momentum, RMSprop, Adam … on
                            compare_paths`                 a loss surface)
:mod:`.feature_maps`        :func:`~.feature_maps.         :func:`~.feature_maps.
                            feature_maps`,                 feature_map_explorer` (06: maps
                            :func:`~.feature_maps.         of a trained model's layer and
                            source_filter`                 the filter behind one)
:mod:`.detection`           :func:`~.detection.            :func:`~.detection.
                            explore_state`                 detection_explorer` (18: score
                                                           threshold and NMS IoU against
                                                           precision, recall and mAP)
:mod:`._ui`                 —                              shared: wrapping control rows,
                                                           message area, drawing into an
                                                           ``Output`` (:class:`~._ui.Explorer`)
==========================  =============================  ==================================

The submodules are imported on demand (``from helpers.explorers import pooling``), so that
importing one does not import TensorFlow for the others.
"""

__all__ = [
    "activations",
    "augmentation",
    "detection",
    "feature_maps",
    "optimizers",
    "pooling",
]
