"""Lab 16 comparators: a stratified file split, a transfer model on a given frozen base.

They judge, they hold no answers (shipped to students): the split is judged by its properties
(every file once, per-class sizes, shuffled), the model by its layers compared with the
expected model's description and by the outputs it computes.
"""

from __future__ import annotations

from collections import Counter

from helpers.labs.custom import models
from helpers.labs.judge import brief
from helpers.labs.wire import Described

_PARTS = ("train", "valid", "test")


def _per_class(files) -> Counter:
    return Counter(f.split("/")[-2] for f in files)


def file_split(got, expected):
    """Three lists of file names: each file exactly once, per-class sizes as expected,
    and the files of each class shuffled (not the first ones in sorted order)."""
    if type(got) is not tuple or len(got) != 3:
        return f"expected a tuple (train, valid, test) of three lists, got {models.kind(got)}"
    for name, part in zip(_PARTS, got, strict=True):
        if type(part) is not list or not all(type(f) is str for f in part):
            return f"{name} should be a list of file names (str), got {brief(part)}"
    every = [f for part in got for f in part]
    wanted = sorted(f for part in expected for f in part)
    if sorted(every) != wanted:
        doubles = [f for f, n in Counter(every).items() if n > 1]
        if doubles:
            return f"{doubles[0]!r} is in two splits (or twice in one): the splits must not overlap"
        missing = set(wanted) - set(every)
        if missing:
            return f"{len(missing)} file(s) are in no split, e.g. {sorted(missing)[0]!r}"
        return "the splits hold files that were not in the input"
    for name, part, ref in zip(_PARTS, got, expected, strict=True):
        have, want = _per_class(part), _per_class(ref)
        if have != want:
            if sum(have.values()) == sum(want.values()):
                return (
                    f"{name} has the right number of files ({len(part)}) but not per class: "
                    f"{dict(sorted(have.items()))} instead of {dict(sorted(want.items()))}; "
                    "split each class on its own (stratified)"
                )
            return (
                f"{name} has {dict(sorted(have.items()))} files per class, expected "
                f"{dict(sorted(want.items()))} (round(n * fraction) per class, test first "
                "then validation, the rest for training)"
            )
    by_class: dict[str, list[str]] = {}
    for f in wanted:
        by_class.setdefault(f.split("/")[-2], []).append(f)
    in_order = 0
    for name, files in by_class.items():
        k = _per_class(got[2])[name]
        if set(files[:k]) == {f for f in got[2] if f.split("/")[-2] == name}:
            in_order += 1
    if in_order == len(by_class) and max(len(v) for v in by_class.values()) > 6:
        return (
            "every class's test files are its first files in sorted order: the files "
            "were not shuffled (use np.random.default_rng(seed))"
        )
    return None


# ----------------------------------------------------------------------------- the model


def _layers(attrs: dict) -> list[dict]:
    return [la for la in attrs.get("layers") or [] if la.get("class") != "InputLayer"]


def _describe(layers: list[dict]) -> str:
    return ", ".join(la.get("class", "?") for la in layers)


def _head_summary(got, expected) -> str | None:
    if not (isinstance(got, Described) and got.type == "keras.Model"):
        return f"expected a Keras model, got {models.kind(got)} {brief(got)}"
    g, e = got.attrs, expected.attrs
    want_in = e["inputs"][0][1:]
    inputs = g.get("inputs")
    if not inputs or inputs[0] is None or len(inputs) != 1 or inputs[0][1:] != want_in:
        return (
            f"the model's input should have shape {tuple(want_in)}; start from "
            "keras.Input(input_shape)"
        )
    layers, ref = _layers(g), _layers(e)
    kinds = [la.get("class") for la in layers]
    if "Flatten" in kinds:
        return (
            "the head flattens the base's maps; use GlobalAveragePooling2D: one number per "
            "channel, far fewer weights in the dense layer"
        )
    if len(layers) > 1 and all(
        la.get("class") not in ("Sequential", "Functional") for la in layers
    ):
        return (
            "the base's layers were copied into the model one by one; call the base as one "
            "layer: x = base(inputs, training=False)"
        )
    ref_kinds = [la.get("class") for la in ref]
    if "Dropout" not in kinds:
        return "there is no Dropout layer between the pooling and the dense layer"
    if kinds != ref_kinds:
        return (
            f"the layers are [{_describe(layers)}]; expected [{_describe(ref)}]: the base "
            "(as one layer), GlobalAveragePooling2D, Dropout, Dense"
        )
    drop, ref_drop = (next(la for la in ls if la.get("class") == "Dropout") for ls in (layers, ref))
    rate, want = drop.get("config", {}).get("rate"), ref_drop.get("config", {}).get("rate")
    if type(rate) not in (int, float) or abs(rate - want) > 1e-9:
        return f"the dropout rate is {rate}, expected {want}: use the dropout argument"
    dense, ref_dense = layers[-1], ref[-1]
    units = dense.get("config", {}).get("units")
    if units != ref_dense.get("config", {}).get("units"):
        return (
            f"the dense layer has {units} units; it needs one per class "
            f"({ref_dense['config']['units']})"
        )
    if dense.get("activation") != "softmax":
        return (
            f"the dense layer's activation is {dense.get('activation')!r}; a classifier over "
            "several classes ends with a softmax"
        )
    t, want_t = g.get("trainable_params"), e.get("trainable_params")
    if t != want_t:
        if isinstance(t, int) and isinstance(want_t, int) and t > want_t:
            return (
                f"{t:,} weights are trainable; only the new head's {want_t:,} should be: "
                "freeze the base (base.trainable = False) before building the model"
            )
        return f"{t} weights are trainable; expected {want_t} (the dense layer's)"
    if g.get("params") != e.get("params"):
        return (
            f"the model holds {g.get('params'):,} weights, expected {e.get('params'):,}: use "
            "make_base(input_shape) as the base"
        )
    return None


def transfer_head(got, expected, atol=1e-4, rtol=1e-4):
    """The model's layers; with probes ``(model, set_weights(...), model(x))`` its outputs."""
    return models.probed(
        got, expected, _head_summary, atol=atol, rtol=rtol,
        what="with the given weights, its outputs on random images differ: {problem} (the base "
        "called with training=False, global average pooling, dropout, softmax)",
    )  # fmt: skip
