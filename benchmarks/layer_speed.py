"""How fast the course's fast networks train with three ways of computing batch norm.

    .venv/bin/python benchmarks/layer_speed.py [--images 20000] [--repeats 3]

For ``fast_mnist_cnn`` (chapter 06) and ``fast_fashion_cnn`` (chapter 08) it measures training
images per second with

* ``fused``: ``helpers.fast_layers.FusedBatchNormalization`` (TensorFlow's fused kernel; what
  the course uses),
* ``keras``: ``keras.layers.BatchNormalization`` (Keras 3's own, several separate operations),
* ``keras+bf16``: Keras's layer under the ``mixed_bfloat16`` policy (computation in bfloat16,
  weights in float32; the fused layer falls back to Keras's code under it).

Each variant is a fresh model with Adam and cross-entropy. Its training step (forward,
gradients, update; one ``tf.function``) runs over ``--images`` MNIST or Fashion-MNIST training
images cut in advance into batches of 128: one warm-up pass (tracing, memory), then one timed
pass. The batches are ready tensors on purpose. Keras's ``fit`` feeds them through a ``tf.data``
pipeline whose threads share the two cores with the computation, and on the reference machine
its epoch speeds swung by about ±30 % from one epoch to the next; timing the step alone
compares the layers, not that noise. The variants take turns, ``--repeats`` rounds, so that a
machine whose speed drifts affects them alike; the table gives mean ± sample sd over the
rounds. Results go to ``layer_speed.json`` and ``layer_speed.md`` beside this script. Run it on
an idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("fused", "keras", "keras+bf16")
NETWORKS = {"fast_mnist_cnn": "fast_mnist", "fast_fashion_cnn": "fast_fashion"}  # and recipes


def images_per_second(network: str, variant: str, x, y) -> float:
    import keras
    import tensorflow as tf

    from helpers import models

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if "bf16" in variant else "float32")
    try:
        keras.utils.set_random_seed(0)
        model = models.build(network, fused_bn=variant == "fused")
        optimizer = keras.optimizers.Adam(1e-3)
        loss_fn = keras.losses.SparseCategoricalCrossentropy()

        @tf.function
        def step(images, labels):
            with tf.GradientTape() as tape:
                loss = loss_fn(labels, model(images, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            return loss

        batches = [
            (tf.constant(x[i : i + 128]), tf.constant(y[i : i + 128]))
            for i in range(0, len(x) - 127, 128)
        ]
        for images, labels in batches:  # warm-up: tracing and memory
            step(images, labels)
        start = time.perf_counter()
        for images, labels in batches:
            step(images, labels)
        float(step(*batches[0]))  # wait for the last step to finish
        return 128 * (len(batches) + 1) / (time.perf_counter() - start)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import helpers  # noqa: F401  (quiet TensorFlow start-up)
    from helpers import bench

    speeds: dict[str, dict[str, list[float]]] = {n: {v: [] for v in VARIANTS} for n in NETWORKS}
    data = {}
    for network, recipe in NETWORKS.items():
        x, y, _, _ = bench.load_data(recipe)
        data[network] = (x[: args.images], y[: args.images])
    for round_ in range(1, args.repeats + 1):
        for network in NETWORKS:
            for variant in VARIANTS:
                ips = images_per_second(network, variant, *data[network])
                speeds[network][variant].append(ips)
                print(
                    f"round {round_}: {network:<17} {variant:<11} {ips:8,.0f} images/s", flush=True
                )

    machine = bench.machine_line()
    lines = [
        f"Measured on: {machine}.\n",
        f"Training images per second of the training step alone (forward, gradients, Adam update) "
        f"over {args.images:,} images in batches of 128, after a warm-up pass; mean ± sample sd "
        f"over {args.repeats} rounds.\n",
        "| Network | " + " | ".join(VARIANTS) + " | fused ÷ keras |",
        "|---|" + "---:|" * (len(VARIANTS) + 1),
    ]
    record = {"machine": machine, "images": args.images, "rows": {}}
    for network, by_variant in speeds.items():
        cells = []
        for variant in VARIANTS:
            values = by_variant[variant]
            sd = statistics.stdev(values) if len(values) > 1 else None
            cells.append(f"{statistics.fmean(values):,.0f}" + (f" ± {sd:,.0f}" if sd else ""))
        ratio = statistics.fmean(by_variant["fused"]) / statistics.fmean(by_variant["keras"])
        lines.append(f"| {network} | " + " | ".join(cells) + f" | {ratio:.2f}× |")
        record["rows"][network] = {"images_per_second": by_variant, "fused_over_keras": ratio}
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    (HERE / "layer_speed.md").write_text(table)
    (HERE / "layer_speed.json").write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
