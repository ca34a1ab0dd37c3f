#!/usr/bin/python3
"""CPU-time twin of shared/bench/dwt_peer.py: the same pywt.wavedec(X, 'db4', mode, level=5, axis=-1)
calls on a (20000, 1250) float32 array, timed with time.process_time() as well as wall time, so the
comparison with ours holds on a shared machine. Prints one JSON line. Usage: dwt_peer_cpu.py [reps]"""
import json, sys, time
import numpy as np
import pywt

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
X = np.random.default_rng(0).standard_normal((20000, 1250)).astype(np.float32)
out = {"pywt": pywt.__version__}
for mode in ["symmetric", "periodization", "zero"]:
    wall, cpu = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        pywt.wavedec(X, "db4", mode=mode, level=5, axis=-1)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    out[mode] = {"rows_per_s": int(20000 / min(wall)), "rows_per_cpu_s": int(20000 / min(cpu))}
print(json.dumps(out))
