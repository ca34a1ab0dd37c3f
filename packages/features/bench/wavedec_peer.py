#!/usr/bin/env python3
"""Peer of bench/wavedec.mjs --only: pywt.wavedec(X, 'db4', mode, level=5, axis=-1) on a (ROWS, 1250)
float32 array (float32 out, a fresh output every call), timed with wall and CPU time; the first call
is warm-up. Prints one JSON line with the median rows/s and the peak RSS (ru_maxrss).
Usage: python3 wavedec_peer.py [--rows 20000] [--reps 3] [--mode symmetric]"""
import argparse, json, resource, statistics, time
import numpy as np
import pywt

p = argparse.ArgumentParser()
p.add_argument("--rows", type=int, default=20000)
p.add_argument("--reps", type=int, default=3)
p.add_argument("--mode", default="symmetric")
a = p.parse_args()
X = np.random.default_rng(0).standard_normal((a.rows, 1250)).astype(np.float32)
pywt.wavedec(X, "db4", mode=a.mode, level=5, axis=-1)  # warm-up
wall, cpu = [], []
for _ in range(a.reps):
    w, c = time.perf_counter(), time.process_time()
    coeffs = pywt.wavedec(X, "db4", mode=a.mode, level=5, axis=-1)
    wall.append(time.perf_counter() - w)
    cpu.append(time.process_time() - c)
    del coeffs
print(json.dumps({
    "tool": "pywt", "pywt": pywt.__version__, "numpy": np.__version__, "rows": a.rows, "mode": a.mode,
    "dtype": str(coeffs_dtype) if (coeffs_dtype := pywt.wavedec(X[:1], "db4", mode=a.mode, level=5, axis=-1)[0].dtype) else None,
    "s": [round(s, 3) for s in wall],
    "rows_per_s": round(a.rows / statistics.median(wall)),
    "best_rows_per_s": round(a.rows / min(wall)),
    "rows_per_cpu_s": round(a.rows / statistics.median(cpu)),
    "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
