#!/usr/bin/python3
"""Peer for bench/run.mjs: scikit-learn LogisticRegression (lbfgs) fit times on the same data.
Usage: OMP_NUM_THREADS=1 /usr/bin/python3 lr_peer.py X.f32 y.i32 rows cols C repeats
Prints one JSON line: fit CPU seconds (time.process_time; single-threaded with OMP_NUM_THREADS=1) per repeat for the default tol (1e-4) and for tol=1e-8, and the
probabilities of the first 1000 rows (to compare accuracy)."""
import json, sys, time, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression

path_x, path_y, rows, cols, C, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
X = np.fromfile(path_x, dtype="<f4").reshape(rows, cols).astype(np.float64)
y = np.fromfile(path_y, dtype="<i4")
out = {}
for name, tol in (("default", 1e-4), ("tight", 1e-8)):
    times = []
    for _ in range(repeats):
        t = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(C=C, tol=tol, max_iter=1000).fit(X, y)
        times.append(time.process_time() - t)
    out[name] = {"seconds": times, "n_iter": int(model.n_iter_[0]), "proba": model.predict_proba(X[:1000]).ravel().tolist()}
print(json.dumps(out))
