#!/usr/bin/env python3
"""Peers of readCsv's thread counts (copied and extended from ../shared/bench/csv_peer.py).
  csv_threads_peer.py FILE VARIANT REPS   one JSON line: per-rep wall seconds and CPU seconds (all threads)
  VARIANT: pyarrow1 (pyarrow.csv.read_csv, use_threads=False), pyarrow2 (use_threads=True,
           pyarrow.set_cpu_count(2)), pandas (read_csv, C engine), pandas_roundtrip (float_precision='round_trip')
  csv_threads_peer.py verify FILE BIN  compare a float64 row-major dump (idColumn off) with pandas round_trip"""
import json, resource, sys, time


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if sys.argv[1] == "verify":
    import numpy as np
    import pandas as pd
    f, b = sys.argv[2], sys.argv[3]
    ref = pd.read_csv(f, float_precision="round_trip").to_numpy(dtype=np.float64)
    a = np.fromfile(b, dtype=np.float64)
    ok = a.size == ref.size
    mism = int((a.reshape(ref.shape) != ref).sum()) if ok else -1
    print(json.dumps({"values": int(ref.size), "size_equal": ok, "float64_mismatches_vs_roundtrip": mism}))
    sys.exit(0)

f, variant, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
import pyarrow as pa
import pyarrow.csv as pc
import pandas as pd
if variant == "pyarrow2":
    pa.set_cpu_count(2)
    pa.set_io_thread_count(2)
wall, cpus, shape = [], [], None
for _ in range(reps):
    c, t = cpu(), time.perf_counter()
    if variant == "pyarrow1":
        out = pc.read_csv(f, read_options=pc.ReadOptions(use_threads=False))
    elif variant == "pyarrow2":
        out = pc.read_csv(f, read_options=pc.ReadOptions(use_threads=True))
    elif variant == "pandas":
        out = pd.read_csv(f)
    elif variant == "pandas_roundtrip":
        out = pd.read_csv(f, float_precision="round_trip")
    else:
        raise SystemExit(f"unknown variant {variant}")
    wall.append(time.perf_counter() - t)
    cpus.append(cpu() - c)
    shape = [out.num_rows, out.num_columns] if hasattr(out, "num_rows") else list(out.shape)
    del out
print(json.dumps({"tool": variant, "versions": {"pyarrow": pa.__version__, "pandas": pd.__version__, "python": sys.version.split()[0]},
                  "cpu_count": pa.cpu_count(), "shape": shape, "s": [round(x, 4) for x in wall], "cpu_s": [round(x, 4) for x in cpus],
                  "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
