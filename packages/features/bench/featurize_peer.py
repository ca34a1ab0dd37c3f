#!/usr/bin/python3
"""Python peer of the featurize step: shared/bench/pipeline_reference.py's featurize() (pywt + numpy,
11 meta + haar-6/db4-5 band statistics + windowed db4 energies: 96 columns) on the same HDF5 file.
Prints one JSON line. Usage: OMP_NUM_THREADS=1 /usr/bin/python3 featurize_peer.py FILE [rows]"""
import json, resource, sys, time
sys.path.insert(0, "/work/shared/bench")
import h5py
from pipeline_reference import featurize

rows = int(sys.argv[2]) if len(sys.argv) > 2 else None
t0 = time.perf_counter()
with h5py.File(sys.argv[1]) as f:
    X = f["features"][:rows]
t1 = time.perf_counter()
F = featurize(X)
t2 = time.perf_counter()
print(json.dumps({"rows": F.shape[0], "features": F.shape[1], "read_s": round(t1 - t0, 3), "featurize_s": round(t2 - t1, 3),
                  "rows_per_s_featurize": int(F.shape[0] / (t2 - t1)), "rows_per_s_read_and_featurize": int(F.shape[0] / (t2 - t0)),
                  "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
