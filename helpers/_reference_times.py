"""Default-mode run times of the chapters on the reference machine (generated file).

Written by benchmarks/chapter_times.py from benchmarks/chapter_times.json; do not edit
by hand. ``images_per_second`` is the machine's throughput on helpers.timing's probe,
measured just before the chapter ran. helpers.timing reads this table.
"""

REFERENCE_TIMES = {
    "06": {
        "seconds": 121.0,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4426.0,
        "measured": "2026-12-04 19:48",
        "load_before": 0.35,
    },
    "07": {
        "seconds": 276.2,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 3616.8,
        "measured": "2026-12-04 16:16",
        "load_before": 1.28,
    },
    "08": {
        "seconds": 762.2,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4737.8,
        "measured": "2026-12-04 22:26",
        "load_before": 0.44,
    },
    "10": {
        "seconds": 111.0,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 3566.0,
        "measured": "2026-12-04 16:46",
        "load_before": 1.86,
    },
    "11": {
        "seconds": 104.8,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4019.8,
        "measured": "2026-12-04 16:44",
        "load_before": 1.34,
    },
    "12": {
        "seconds": 69.8,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4411.3,
        "measured": "2026-12-04 19:57",
        "load_before": 0.39,
    },
    "13": {
        "seconds": 153.1,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4200.0,
        "measured": "2026-12-04 07:45",
        "load_before": 1.0,
    },
    "14": {
        "seconds": 161.7,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4264.3,
        "measured": "2026-12-04 22:30",
        "load_before": 0.5,
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
    "20": {
        "seconds": 482.3,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 3869.3,
        "measured": "2026-12-04 16:06",
        "load_before": 0.21,
    },
    "21": {
        "seconds": 125.9,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 3281.1,
        "measured": "2026-12-04 15:10",
        "load_before": 1.79,
    },
    "22": {
        "seconds": 300.2,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4135.6,
        "measured": "2026-12-04 16:11",
        "load_before": 1.69,
    },
    "23": {
        "seconds": 321.6,
        "machine": "AMD EPYC, 2 cores",
        "images_per_second": 4458.6,
        "measured": "2026-12-04 22:37",
        "load_before": 0.46,
    },
}
