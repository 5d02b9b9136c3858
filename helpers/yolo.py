"""A small YOLO-style detector: target encoding, the YOLO v1 loss, decoding and a CPU-sized model.

YOLO (Redmon et al., 2016) cuts the image into an S×S grid. The cell that contains the **centre**
of an object is *responsible* for it. Every cell predicts B boxes, each with five numbers
``(x, y, w, h, confidence)``, and one set of C class probabilities, so the network's output is an
``S × S × (B·5 + C)`` tensor (7 × 7 × 30 for Pascal VOC: S = 7, B = 2, C = 20).

Layout of one cell's vector (targets and activated predictions alike)::

    [x, y, w, h, conf]  × B boxes,   then   [p(class 0), …, p(class C-1)]

* ``x, y`` — the box centre *inside its cell*, as a fraction of the cell (0…1);
* ``w, h`` — the box size as a fraction of the whole image (0…1);
* ``conf`` — target 1 in the responsible cell (the loss may replace it by the IoU, as in the
  paper), 0 elsewhere; the network's conf estimates P(object) · IoU(predicted, true box);
* class probabilities — one-hot in the target, a softmax in the prediction.

The network's last layer is linear; :func:`activate` squashes x, y, w, h and conf with a sigmoid
and the class scores with a softmax. (YOLO v1 kept a linear output and trained on raw values;
the sigmoid keeps √w defined from the first step and is what later YOLOs did for x, y.)

:func:`yolo_loss_terms` is the YOLO v1 loss, written with ``keras.ops`` (any backend)::

    λ_coord Σ 1obj_ij [(x − x̂)² + (y − ŷ)²] + λ_coord Σ 1obj_ij [(√w − √ŵ)² + (√h − √ĥ)²]
    + Σ 1obj_ij (C − Ĉ)² + λ_noobj Σ 1noobj_ij (C − Ĉ)² + Σ 1obj_i Σ_c (p(c) − p̂(c))²

with λ_coord = 5 and λ_noobj = 0.5. ``1obj_ij`` marks predictor j of a cell i that holds an object
*and* whose predicted box has the highest IoU with the true box there (the "responsible"
predictor); every other predictor is ``1noobj``. Sums run over the grid; the loss is averaged
over the images of a batch. Simplification: a cell holds at most one object (YOLO v1's own
limit) — :func:`encode` keeps the first object whose centre falls into an occupied cell and
reports the others as dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .boxes import batched_nms, check_boxes

__all__ = [
    "LAMBDA_COORD",
    "LAMBDA_NOOBJ",
    "activate",
    "build_detector",
    "cell_size",
    "decode",
    "encode",
    "encode_batch",
    "make_loss",
    "output_depth",
    "predict_detections",
    "responsible_cell",
    "yolo_loss",
    "yolo_loss_terms",
]

LAMBDA_COORD = 5.0
LAMBDA_NOOBJ = 0.5


# ----------------------------------------------------------------------------- arithmetic


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _size_hw(image_size) -> tuple[float, float]:
    """``image_size`` as (height, width): an int means a square image."""
    if isinstance(image_size, int | float | np.integer | np.floating):
        h = w = float(image_size)
    else:
        try:
            h, w = (float(v) for v in image_size)
        except (TypeError, ValueError):
            raise ValueError(
                f"image_size must be a number or (height, width), got {image_size!r}"
            ) from None
    if not (h > 0 and w > 0):
        raise ValueError(f"image_size must be positive, got {image_size!r}")
    return h, w


def output_depth(boxes_per_cell: int, num_classes: int) -> int:
    """Numbers per cell: B·5 + C (YOLO v1 on VOC: 2·5 + 20 = 30)."""
    return 5 * _positive_int(boxes_per_cell, "boxes_per_cell") + _positive_int(
        num_classes, "num_classes"
    )


def cell_size(image_size, grid: int) -> tuple[float, float]:
    """Height and width of one grid cell in pixels."""
    h, w = _size_hw(image_size)
    s = _positive_int(grid, "grid")
    return h / s, w / s


def responsible_cell(box, grid: int, image_size) -> tuple[int, int]:
    """(row, column) of the cell that contains the centre of ``box`` (xyxy, pixels).

    A centre exactly on a cell border belongs to the cell below / to the right (floor); a centre
    on the image's far edge belongs to the last cell.
    """
    b = check_boxes(box).reshape(4)
    ch, cw = cell_size(image_size, grid)
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    row = int(np.clip(np.floor(cy / ch), 0, grid - 1))
    col = int(np.clip(np.floor(cx / cw), 0, grid - 1))
    return row, col


# ----------------------------------------------------------------------------- targets


def encode(
    boxes,
    labels,
    *,
    grid: int,
    boxes_per_cell: int,
    num_classes: int,
    image_size,
    return_dropped: bool = False,
):
    """The target tensor (S, S, B·5 + C), float32, for one image.

    ``boxes``: (k, 4) xyxy pixels; ``labels``: (k,) ints in [0, C). In the responsible cell all B
    box slots get the same ``(x, y, w, h, 1)`` (the loss picks the predictor), and the class is
    one-hot. With ``return_dropped=True`` also returns the indices of objects that were dropped
    because their centre fell into a cell already taken by an earlier object.
    """
    s = _positive_int(grid, "grid")
    nb = _positive_int(boxes_per_cell, "boxes_per_cell")
    nc = _positive_int(num_classes, "num_classes")
    b = check_boxes(boxes).reshape(-1, 4)
    lab = np.asarray(labels).reshape(-1)
    if len(lab) != len(b):
        raise ValueError(f"got {len(b)} boxes but {len(lab)} labels")
    if len(lab) and (lab.min() < 0 or lab.max() >= nc or not np.all(lab == np.round(lab))):
        raise ValueError(f"labels must be whole numbers in [0, {nc}), got {lab.tolist()}")
    h, w = _size_hw(image_size)
    ch, cw = h / s, w / s
    target = np.zeros((s, s, 5 * nb + nc), dtype=np.float32)
    dropped = []
    for i, (box, c) in enumerate(zip(b, lab.astype(int), strict=True)):
        row, col = responsible_cell(box, s, (h, w))
        if target[row, col, 4] == 1.0:
            dropped.append(i)
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        slot = [cx / cw - col, cy / ch - row, (box[2] - box[0]) / w, (box[3] - box[1]) / h, 1.0]
        target[row, col, : 5 * nb] = np.tile(slot, nb)
        target[row, col, 5 * nb + c] = 1.0
    if return_dropped:
        return target, np.asarray(dropped, dtype=np.int64)
    return target


def encode_batch(
    boxes_list: Sequence, labels_list: Sequence, *, grid, boxes_per_cell, num_classes, image_size
) -> tuple[np.ndarray, int]:
    """Targets (N, S, S, B·5 + C) for N images, and the number of objects dropped in total."""
    if len(boxes_list) != len(labels_list):
        raise ValueError(f"{len(boxes_list)} box arrays but {len(labels_list)} label arrays")
    out, n_dropped = [], 0
    for boxes, labels in zip(boxes_list, labels_list, strict=True):
        t, d = encode(
            boxes,
            labels,
            grid=grid,
            boxes_per_cell=boxes_per_cell,
            num_classes=num_classes,
            image_size=image_size,
            return_dropped=True,
        )
        out.append(t)
        n_dropped += len(d)
    depth = output_depth(boxes_per_cell, num_classes)
    stacked = np.stack(out) if out else np.zeros((0, grid, grid, depth), np.float32)
    return stacked, n_dropped


# ----------------------------------------------------------------------------- the loss


def activate(raw, boxes_per_cell: int, num_classes: int):
    """Raw network output (…, S, S, B·5 + C) → sigmoid on box numbers and conf, softmax on
    the class scores (``keras.ops``; works on NumPy arrays and tensors)."""
    from keras import ops

    nb = 5 * boxes_per_cell
    if raw.shape[-1] != nb + num_classes:
        raise ValueError(f"the last axis has {raw.shape[-1]} numbers; B·5 + C = {nb + num_classes}")
    return ops.concatenate(
        [ops.sigmoid(raw[..., :nb]), ops.softmax(raw[..., nb:], axis=-1)], axis=-1
    )


def _cell_offsets(grid: int):
    """(S, S, 1) arrays of each cell's column and row index."""
    cols, rows = np.meshgrid(np.arange(grid), np.arange(grid))
    return cols[..., None].astype("float32"), rows[..., None].astype("float32")


def _iou_cell_boxes(p, t, grid: int):
    """IoU of (…, S, S, B, ≥4) predicted and true boxes in the cell encoding (keras.ops)."""
    from keras import ops

    col, row = _cell_offsets(grid)

    def corners(b):
        cx, cy = (b[..., 0] + col) / grid, (b[..., 1] + row) / grid
        return cx - b[..., 2] / 2, cy - b[..., 3] / 2, cx + b[..., 2] / 2, cy + b[..., 3] / 2

    px0, py0, px1, py1 = corners(p)
    tx0, ty0, tx1, ty1 = corners(t)
    iw = ops.maximum(ops.minimum(px1, tx1) - ops.maximum(px0, tx0), 0.0)
    ih = ops.maximum(ops.minimum(py1, ty1) - ops.maximum(py0, ty0), 0.0)
    inter = iw * ih
    union = p[..., 2] * p[..., 3] + t[..., 2] * t[..., 3] - inter
    return inter / ops.maximum(union, 1e-9)


def yolo_loss_terms(
    y_true,
    y_pred,
    *,
    boxes_per_cell: int,
    num_classes: int,
    lambda_coord: float = LAMBDA_COORD,
    lambda_noobj: float = LAMBDA_NOOBJ,
    conf_target: str = "iou",
    from_logits: bool = True,
) -> dict:
    """The five terms of the YOLO v1 loss, each summed over the grid and averaged over the batch.

    ``y_true``: targets from :func:`encode_batch`, shape (N, S, S, B·5 + C). ``y_pred``: the
    network's raw output (``from_logits=True``) or already :func:`activate`-d. ``conf_target``:
    ``"iou"`` (the paper: the responsible predictor's confidence should equal its IoU with the
    truth, held constant for the gradient) or ``"one"`` (target 1). Returns a dict with keys
    ``coord_xy``, ``coord_wh``, ``obj``, ``noobj``, ``class`` (λ weights already applied) and
    ``total``.
    """
    from keras import ops

    if conf_target not in ("iou", "one"):
        raise ValueError(f"conf_target must be 'iou' or 'one', got {conf_target!r}")
    nb, nc = boxes_per_cell, num_classes
    y_true = ops.convert_to_tensor(y_true, dtype="float32")
    y_pred = ops.convert_to_tensor(y_pred, dtype="float32")
    grid = int(y_true.shape[-2])
    if tuple(y_true.shape[1:]) != tuple(y_pred.shape[1:]) or y_true.shape[-3] != grid:
        raise ValueError(
            f"targets {tuple(y_true.shape)} and predictions {tuple(y_pred.shape)} must both be "
            f"(N, S, S, {output_depth(nb, nc)})"
        )
    pred = activate(y_pred, nb, nc) if from_logits else y_pred
    shape = (-1, grid, grid, nb, 5)
    t_box = ops.reshape(y_true[..., : 5 * nb], shape)
    p_box = ops.reshape(pred[..., : 5 * nb], shape)
    t_cls, p_cls = y_true[..., 5 * nb :], pred[..., 5 * nb :]
    has_obj = t_box[..., 0, 4]  # (N, S, S): 1 in the responsible cell
    ious = ops.stop_gradient(_iou_cell_boxes(p_box, t_box, grid))  # (N, S, S, B)
    resp = ops.one_hot(ops.argmax(ious, axis=-1), nb) * has_obj[..., None]
    resp = ops.stop_gradient(resp)
    eps = 1e-9
    xy = ops.sum(ops.square(p_box[..., :2] - t_box[..., :2]), axis=-1)
    wh = ops.sum(
        ops.square(ops.sqrt(p_box[..., 2:4] + eps) - ops.sqrt(t_box[..., 2:4] + eps)), axis=-1
    )
    conf = p_box[..., 4]
    target_conf = ious if conf_target == "iou" else ops.ones_like(conf)
    per_image = {
        "coord_xy": lambda_coord * resp * xy,
        "coord_wh": lambda_coord * resp * wh,
        "obj": resp * ops.square(conf - target_conf),
        "noobj": lambda_noobj * (1.0 - resp) * ops.square(conf),
        "class": has_obj * ops.sum(ops.square(p_cls - t_cls), axis=-1),
    }
    terms = {}
    for name, value in per_image.items():
        summed = ops.sum(value, axis=tuple(range(1, len(value.shape))))
        terms[name] = ops.mean(summed)
    terms["total"] = sum(terms[k] for k in per_image)
    return terms


def yolo_loss(y_true, y_pred, **kwargs):
    """The total YOLO v1 loss (see :func:`yolo_loss_terms` for the arguments)."""
    return yolo_loss_terms(y_true, y_pred, **kwargs)["total"]


def make_loss(boxes_per_cell: int, num_classes: int, **kwargs):
    """A ``loss(y_true, y_pred)`` function for ``model.compile(loss=…)``."""

    def loss(y_true, y_pred):
        return yolo_loss(
            y_true, y_pred, boxes_per_cell=boxes_per_cell, num_classes=num_classes, **kwargs
        )

    loss.__name__ = "yolo_loss"
    return loss


# ----------------------------------------------------------------------------- the model


def build_detector(
    input_shape=(96, 96, 1),
    grid: int = 6,
    boxes_per_cell: int = 2,
    num_classes: int = 10,
    width: int = 16,
    name: str = "tiny_yolo",
):
    """A small fully convolutional YOLO-style network: conv-BN-ReLU blocks that halve the map
    (a stride-2 convolution first, then 2×2 max pooling) until it is S×S, two 3×3 convolutions
    there (their receptive field covers a whole digit from its centre cell) and a linear 1×1
    convolution with B·5 + C outputs.

    The input height and width must equal S·2^k for some k ≥ 1. Channels double per block from
    ``width`` up to 8·``width``.
    """
    import keras
    from keras import layers

    h, w, c = (int(v) for v in input_shape)
    s = _positive_int(grid, "grid")
    if h != w or h % s or (h // s) & (h // s - 1) or h // s < 2:
        raise ValueError(
            f"build_detector: a square input whose side is grid · 2^k is needed, got "
            f"{input_shape} for grid {s}"
        )
    n_halvings = int(np.log2(h // s))
    depth = output_depth(boxes_per_cell, num_classes)
    x = inputs = keras.Input((h, w, c), name="image")
    filters = width
    for i in range(n_halvings):
        # The first block halves with a strided convolution: full-resolution maps are the
        # expensive ones on a CPU. The others convolve, then max-pool.
        stride = 2 if i == 0 else 1
        x = layers.Conv2D(
            filters, 3, strides=stride, padding="same", use_bias=False, name=f"conv{i + 1}"
        )(x)
        x = layers.BatchNormalization(name=f"bn{i + 1}")(x)
        x = layers.ReLU(name=f"relu{i + 1}")(x)
        if i > 0:
            x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
        filters = min(2 * filters, 8 * width)
    for j in ("a", "b"):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"grid_conv{j}")(x)
        x = layers.BatchNormalization(name=f"grid_bn{j}")(x)
        x = layers.ReLU(name=f"grid_relu{j}")(x)
    outputs = layers.Conv2D(depth, 1, name="yolo_head")(x)
    return keras.Model(inputs, outputs, name=name)


# ----------------------------------------------------------------------------- decoding


def decode(
    pred,
    *,
    boxes_per_cell: int,
    num_classes: int,
    image_size,
    score_threshold: float = 0.0,
    from_logits: bool = False,
) -> dict:
    """All boxes of one image's prediction (S, S, B·5 + C) with score ≥ ``score_threshold``.

    Each of the S·S·B predictors gives one box (xyxy pixels, clipped to the image), the score
    conf · max_c p(c) (YOLO's class-specific confidence) and that class. No NMS here. Returns
    ``{"boxes": (k, 4), "scores": (k,), "labels": (k,)}`` sorted by score, highest first.
    """
    from keras import ops

    p = np.asarray(pred, dtype=np.float32)
    if from_logits:
        p = np.asarray(ops.convert_to_numpy(activate(p, boxes_per_cell, num_classes)))
    nb, nc = boxes_per_cell, num_classes
    if p.ndim != 3 or p.shape[0] != p.shape[1] or p.shape[2] != output_depth(nb, nc):
        raise ValueError(f"expected one prediction (S, S, {output_depth(nb, nc)}), got {p.shape}")
    s = p.shape[0]
    h, w = _size_hw(image_size)
    box = p[..., : 5 * nb].reshape(s, s, nb, 5)
    col, row = _cell_offsets(s)
    cx = (box[..., 0] + col) * (w / s)
    cy = (box[..., 1] + row) * (h / s)
    bw, bh = box[..., 2] * w, box[..., 3] * h
    corners = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=-1)
    corners = np.clip(corners, 0, [w, h, w, h]).reshape(-1, 4)
    cls = p[..., 5 * nb :]
    labels = np.repeat(cls.argmax(-1)[:, :, None], nb, axis=2).reshape(-1)
    scores = (box[..., 4] * cls.max(-1)[:, :, None]).reshape(-1)
    keep = np.flatnonzero(scores >= score_threshold)
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return {
        "boxes": corners[keep].astype(np.float64),
        "scores": scores[keep].astype(np.float64),
        "labels": labels[keep].astype(np.int64),
    }


def predict_detections(
    model,
    images,
    *,
    boxes_per_cell: int,
    num_classes: int,
    score_threshold: float = 0.01,
    iou_threshold: float | None = 0.5,
    max_output: int | None = 50,
    batch_size: int = 64,
) -> list[dict]:
    """Run ``model`` on ``images`` (N, H, W) or (N, H, W, C) and decode every image.

    ``iou_threshold``: per-class NMS (:func:`helpers.boxes.batched_nms`) with that threshold;
    ``None`` keeps every box above ``score_threshold`` (the raw predictions, before NMS).
    Returns one dict per image, ready for :func:`helpers.detection_metrics.evaluate_detections`.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {x.shape}")
    raw = model.predict(x, batch_size=batch_size, verbose=0)
    out = []
    for r in raw:
        det = decode(
            r,
            boxes_per_cell=boxes_per_cell,
            num_classes=num_classes,
            image_size=x.shape[1:3],
            score_threshold=score_threshold,
            from_logits=True,
        )
        if iou_threshold is not None and len(det["scores"]):
            keep = batched_nms(
                det["boxes"],
                det["scores"],
                det["labels"],
                iou_threshold=iou_threshold,
                max_output=max_output,
            )
            det = {k: v[keep] for k, v in det.items()}
        out.append(det)
    return out
