#!/usr/bin/env python3
"""Writes the generated data sets that the default portfolio's studies tune on (scripts/build-default-portfolio.sh).

Made by this script only (no outside data), each from its own fixed seed, so running it again gives the same files
byte for byte. Two data sets per task with different shapes (a linear rule with an interaction; a radial or
threshold rule; noise and irrelevant features), so that the portfolio does not learn one data set's optimum.
Run: python3 scripts/portfolio_data.py OUT_FOLDER
"""
import math
import os
import random
import sys


def write(folder, name, header, rows):
    with open(os.path.join(folder, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(v if isinstance(v, str) else f"{v:.4f}" for v in row) + "\n")


def features(rng, n):
    return [rng.gauss(0, 1) for _ in range(n)]


def binary_linear(rng, rows=800, n=10):
    # A linear logit with one interaction; 4 of the 10 features are noise.
    w = [1.2, -0.8, 0.6, 0.5, -0.4, 0.3, 0, 0, 0, 0]
    for _ in range(rows):
        x = features(rng, n)
        z = sum(a * b for a, b in zip(w, x)) + 0.9 * x[0] * x[1]
        yield x + ["yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"]


def binary_radial(rng, rows=1000, n=8):
    # Inside a sphere of 3 features, 15% of the labels flipped.
    for _ in range(rows):
        x = features(rng, n)
        inside = x[0] ** 2 + x[1] ** 2 + x[2] ** 2 < 2.4
        yield x + ["yes" if inside != (rng.random() < 0.15) else "no"]


def multiclass_blobs(rng, rows=900, n=6):
    # Four overlapping Gaussian classes on 6 features.
    centres = [[rng.uniform(-1.5, 1.5) for _ in range(n)] for _ in range(4)]
    for _ in range(rows):
        k = rng.randrange(4)
        yield [c + rng.gauss(0, 1.1) for c in centres[k]] + [f"class{k}"]


def multiclass_thresholds(rng, rows=1000, n=8):
    # Five classes by thresholds of a non-linear score, with 10% of the labels redrawn.
    for _ in range(rows):
        x = features(rng, n)
        s = x[0] + 0.7 * math.sin(2 * x[1]) + 0.5 * x[2] * x[3]
        k = min(4, max(0, int((s + 2.5) / 1.0)))
        if rng.random() < 0.1:
            k = rng.randrange(5)
        yield x + [f"level{k}"]


def regression_friedman(rng, rows=800, n=10):
    # Friedman #1 on uniform features: 5 relevant, 5 noise.
    for _ in range(rows):
        x = [rng.random() for _ in range(n)]
        y = 10 * math.sin(math.pi * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + rng.gauss(0, 1)
        yield x + [y]


def regression_steps(rng, rows=1000, n=8):
    # Steps and a linear trend with heavy-tailed noise.
    for _ in range(rows):
        x = features(rng, n)
        y = 3 * (x[0] > 0.3) - 2 * (x[1] < -0.5) + 1.5 * x[2] + 0.8 * abs(x[3]) + rng.gauss(0, 0.6) * (1 + abs(x[4]))
        yield x + [y]


SETS = [
    ("gen-binary-linear.csv", binary_linear, 101),
    ("gen-binary-radial.csv", binary_radial, 102),
    ("gen-multiclass-blobs.csv", multiclass_blobs, 201),
    ("gen-multiclass-thresholds.csv", multiclass_thresholds, 202),
    ("gen-regression-friedman.csv", regression_friedman, 301),
    ("gen-regression-steps.csv", regression_steps, 302),
]

if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(folder, exist_ok=True)
    for name, make, seed in SETS:
        rows = list(make(random.Random(seed)))
        header = [f"f{i}" for i in range(len(rows[0]) - 1)] + ["label"]
        write(folder, name, header, rows)
        print(f"{name}: {len(rows)} rows")
