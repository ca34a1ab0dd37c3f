#!/usr/bin/env python3
"""CPU-time twin of shared/bench/h5_peer.py for bench/h5-cpu.mjs: the same h5py reads (whole: ds[()];
batches: ds[s:s+B] for B = $BATCH rows) timed with time.process_time() as well as wall time, so the
comparison with ours holds on a busy machine. Prints one JSON line (medians over REPS).
Usage: python3 h5_peer_cpu.py FILE DATASET OP [REPS]"""
import json, os, resource, statistics, sys, time
import h5py
import numpy as np

file, key, op = sys.argv[1:4]
reps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
B = int(os.environ.get("BATCH", "1000"))
f = h5py.File(file, "r")
ds = f[key]
N = ds.shape[0]


def once():
    if op == "whole":
        return ds[()]
    acc = 0.0
    for s in range(0, N, B):
        acc += float(ds[s:min(s + B, N)][0, 0])
    return acc


wall, cpu = [], []
for _ in range(reps):
    w, c = time.perf_counter(), time.process_time()
    out = once()
    wall.append((time.perf_counter() - w) * 1e3)
    cpu.append((time.process_time() - c) * 1e3)
    del out
print(json.dumps({"tool": "h5py", "h5py": h5py.__version__, "op": op, "median_ms": round(statistics.median(wall), 1),
                  "cpu_ms": round(statistics.median(cpu), 1), "first_ms": round(wall[0], 1),
                  "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
