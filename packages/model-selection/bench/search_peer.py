"""Peer of bench/search.mjs: Optuna's TPESampler (defaults) on the same functions, and its per-trial
overhead. Prints one JSON document on the last line of stdout.
Usage: python3 search_peer.py quality SEEDS TRIALS | python3 search_peer.py overhead DIMS TRIALS
"""
import json
import math
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(x):
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


FUNCTIONS = {
    "branin": ([(-5, 10), (0, 15)], branin),
    "hartmann6": ([(0, 1)] * 6, hartmann6),
    "rosenbrock10": ([(-5, 10)] * 10, rosenbrock),
}


def quality(seeds, trials):
    out = {}
    for name, (bounds, f) in FUNCTIONS.items():
        curves = []
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(lambda t: f([t.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)]), n_trials=trials)
            values = [t.value for t in study.trials]
            curves.append(np.minimum.accumulate(values).tolist())
        out[name] = curves
    return out


def overhead(dims, trials):
    stamps = []
    cpu = []

    def objective(t):
        stamps.append(time.perf_counter())
        cpu.append(time.process_time())
        return sum(t.suggest_float(f"x{i}", -5, 10) ** 2 for i in range(dims))

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    start = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    total = time.perf_counter() - start
    # Gap between consecutive objective calls = sampling + bookkeeping of one trial.
    gaps = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:])]
    cpu_gaps = [(b - a) * 1000 for a, b in zip(cpu, cpu[1:])]
    return {"gapsMs": gaps, "cpuGapsMs": cpu_gaps, "totalS": total}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "quality":
        result = quality(int(sys.argv[2]), int(sys.argv[3]))
    else:
        result = overhead(int(sys.argv[2]), int(sys.argv[3]))
    result["optuna"] = optuna.__version__
    print(json.dumps(result))
