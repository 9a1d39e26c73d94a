#!/usr/bin/env python3
"""Re-measures Optuna on the `functions` benchmark's functions and seeds (issue 18, item 8).

Writes JSON lines in the format of `functions --out` (impl "optuna", sampler, function, seed, regret[] = best-so-far
regret after every trial), so that `functions --reference FILE` ranks them beside our tuners:

    /usr/bin/python3 scripts/optuna_functions.py --samplers tpe,tpe-mv,cmaes,qmc,random --seeds 20 \
        --out out/optuna_functions.jsonl

Uses the Optuna installed for the system Python (Debian's python3-optuna, 3.1). The functions, boxes and optima
are those of tests/MLNetTuning.Benchmarks/Functions (keep them in step).
"""
import argparse
import json
import math
import os
import time

import optuna

HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
ACKLEY_SHIFT = [7.3, -11.9, 4.1, 16.6, -5.2]


def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


def hartmann6(x):
    return -sum(HARTMANN_ALPHA[i] * math.exp(-sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def shifted_ackley(x):
    z = [v - s for v, s in zip(x, ACKLEY_SHIFT)]
    d = len(z)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in z) / d))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in z) / d) + 20 + math.e)


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for i in range(len(w) - 1):
        total += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    return total + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def styblinski_tang(x):
    return 0.5 * sum(v ** 4 - 16 * v * v + 5 * v for v in x)


def box(f, dimension, low, high):
    return lambda trial: f([trial.suggest_float(f"x{i}", low, high) for i in range(dimension)])


def mixed_conditional(trial):
    booster = trial.suggest_categorical("booster", ["gbdt", "linear", "forest"])
    if booster == "gbdt":
        cost = (trial.suggest_int("depth", 1, 12) - 9) ** 2 / 10 + (math.log10(trial.suggest_float("rate", 1e-3, 1, log=True)) + 2.2) ** 2
    elif booster == "linear":
        cost = 0.5 + (math.log10(trial.suggest_float("l2", 1e-6, 10, log=True)) + 2) ** 2 / 4
    else:
        cost = 0.3 + (math.log(trial.suggest_int("trees", 10, 500, log=True)) - math.log(200)) ** 2 / 2 \
            + (trial.suggest_float("features", 0.1, 1) - 0.6) ** 2
    cost += {"l2": 0.0, "l1": 0.1, "huber": 0.2}[trial.suggest_categorical("loss", ["huber", "l1", "l2"])]
    cost += (math.log2(trial.suggest_int("bins", 2, 256, log=True)) - 6) ** 2 / 8
    return cost + 2 * (trial.suggest_float("weight", 0, 1) - 0.25) ** 2


FUNCTIONS = {
    "branin": (lambda t: branin([t.suggest_float("x0", -5, 10), t.suggest_float("x1", 0, 15)]), 5 / (4 * math.pi)),
    "hartmann6": (box(hartmann6, 6, 0, 1), -3.322368011415515),
    "rosenbrock4": (box(rosenbrock, 4, -5, 10), 0.0),
    "shifted_ackley5": (box(shifted_ackley, 5, -32.768, 32.768), 0.0),
    "levy6": (box(levy, 6, -10, 10), 0.0),
    "styblinski_tang4": (box(styblinski_tang, 4, -5, 5), -156.66466281508565),
    "mixed_conditional": (mixed_conditional, 0.0),
}

SAMPLERS = {
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "tpe-mv": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True),
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "qmc": lambda seed: optuna.samplers.QMCSampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samplers", default="tpe,tpe-mv,cmaes,qmc,random")
    parser.add_argument("--functions", default="all")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--out", default="out/optuna_functions.jsonl")
    args = parser.parse_args()
    samplers = args.samplers.split(",")
    functions = list(FUNCTIONS) if args.functions == "all" else args.functions.split(",")
    for name in samplers + functions:
        if name not in SAMPLERS and name not in FUNCTIONS:
            parser.error(f"unknown sampler or function '{name}'")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as out:
        for sampler in samplers:
            for function in functions:
                objective, optimum = FUNCTIONS[function]
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    start = time.perf_counter()
                    study = optuna.create_study(sampler=SAMPLERS[sampler](seed))
                    study.optimize(objective, n_trials=args.trials)
                    best, regret = math.inf, []
                    for trial in study.trials:
                        best = min(best, trial.value)
                        regret.append(best - optimum)
                    out.write(json.dumps({"impl": "optuna", "sampler": sampler, "function": function, "seed": seed,
                                          "regret": regret, "seconds": time.perf_counter() - start}) + "\n")
                    out.flush()


if __name__ == "__main__":
    main()
