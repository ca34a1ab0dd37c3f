#!/usr/bin/env python3
"""Peers of bench/categorical-fit.mjs: scikit-learn HGB (categorical_features) and LightGBM
(categorical_feature), same columns and settings, 1 thread. python3 bench/categorical_fit_peer.py CSV YCSV [REPS]"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import lightgbm as lgb
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier

csv, ycsv = sys.argv[1], sys.argv[2]
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 2
cats = [f"c{j}" for j in range(20)]
df = pd.read_csv(csv, dtype={c: "category" for c in cats})
y = pd.read_csv(ycsv)["label"].to_numpy()
X = np.column_stack([
    *[np.where(df[c].cat.codes < 0, np.nan, pd.Categorical(df[c], categories=sorted(df[c].cat.categories)).codes).astype(np.float32) for c in cats],
    *[df[f"x{j}"].to_numpy(np.float32) for j in range(10)],
])
mask = np.array([True] * 20 + [False] * 10)
out = {}
for name, fit in [
    (f"scikit-learn {sklearn.__version__} HGB", lambda: HistGradientBoostingClassifier(max_iter=50, max_leaf_nodes=31, early_stopping=False, categorical_features=mask).fit(X, y)),
    (f"LightGBM {lgb.__version__}", lambda: lgb.LGBMClassifier(n_estimators=50, num_leaves=31, learning_rate=0.1, min_child_samples=20, max_bin=255, n_jobs=1, verbose=-1).fit(X, y, categorical_feature=list(range(20)))),
]:
    seconds = []
    for _ in range(reps):
        t = time.perf_counter()
        model = fit()
        seconds.append(time.perf_counter() - t)
    acc = float((model.predict(X) == y).mean())
    out[name] = {"s": [round(s, 3) for s in seconds], "best_s": round(min(seconds), 3), "train_accuracy": round(acc, 4)}
print(json.dumps({"rows": int(X.shape[0]), "cols": int(X.shape[1]), "results": out}))
