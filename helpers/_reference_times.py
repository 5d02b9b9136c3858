"""Default-mode run times of the chapters on the reference machine (generated file).

Written by benchmarks/chapter_times.py from benchmarks/chapter_times.json; do not edit
by hand. ``images_per_second`` is the machine's throughput on helpers.timing's probe,
measured just before the chapter ran. helpers.timing reads this table.
"""

REFERENCE_TIMES = {
    "13": {
        "seconds": 153.1,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:45",
        "load_before": 1.0,
    },
    "15": {
        "seconds": 52.2,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:42",
        "load_before": 0.47,
    },
    "16": {
        "seconds": 269.3,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:51",
        "load_before": 0.51,
    },
    "17": {
        "seconds": 296.3,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 06:58",
        "load_before": 0.48,
    },
    "18": {
        "seconds": 214.0,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:02",
        "load_before": 2.0,
    },
    "19": {
        "seconds": 300.2,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:07",
        "load_before": 1.67,
    },
}
