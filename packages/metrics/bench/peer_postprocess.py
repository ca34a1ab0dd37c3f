"""Python peer for bench/run.mjs: the same post-processing chain and sample AUROC on the same
samples, with numpy 1.24 / scipy 1.10 / scikit-learn 1.2.1 (Debian). Prints one JSON line.

Chain: causal hysteresis (tau_on 0.86, tau_off 0.78; vectorized forward fill of the last decisive
sample) -> scipy binary_opening(11) -> binary_closing(31) (border_value=0, scipy's default) -> runs
-> keep runs >= int(3 s * fs) -> merge gaps <= 2 s.
Usage: python3 peer_postprocess.py DIR REPEATS   (DIR holds proba.f32 and ref.u8)
"""
import json
import resource
import sys
import time

import numpy as np
from scipy import ndimage
from sklearn.metrics import roc_auc_score

FS = 256
folder, repeats = sys.argv[1], int(sys.argv[2])
proba = np.fromfile(f"{folder}/proba.f32", dtype=np.float32)
ref = np.fromfile(f"{folder}/ref.u8", dtype=np.uint8).astype(bool)


def hysteresis(p, on, off):
    decisive = (p >= on) | (p < off)
    idx = np.where(decisive, np.arange(p.size), -1)
    np.maximum.accumulate(idx, out=idx)
    state = np.zeros(p.size, dtype=bool)
    has = idx >= 0
    state[has] = p[idx[has]] >= on
    return state


def runs(mask):
    padded = np.concatenate(([False], mask, [False])).view(np.int8)
    d = np.diff(padded)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def chain(p, on=0.86, off=0.78):
    m = hysteresis(p, on, off)
    m = ndimage.binary_opening(m, structure=np.ones(11, bool))
    m = ndimage.binary_closing(m, structure=np.ones(31, bool))
    s, e = runs(m)
    keep = (e - s) >= int(3 * FS)
    s, e = s[keep] / FS, e[keep] / FS
    events = []
    for a, b in zip(s, e):
        if events and a - events[-1][1] <= 2:
            events[-1][1] = max(events[-1][1], b)
        else:
            events.append([a, b])
    return events


times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    events = chain(proba)
    times.append((time.perf_counter() - t0) * 1000)

# 10 of the 100 thresholds (every tenth), timed and scaled to 100 (a full sweep would take minutes).
t0 = time.perf_counter()
for k in range(10, 101, 10):
    th = np.float32(k / 100)
    chain(proba, th, th - np.float32(0.08))
curve_s = (time.perf_counter() - t0) * 10

auroc_times = []
for _ in range(min(3, repeats)):
    t0 = time.perf_counter()
    auroc = roc_auc_score(ref, proba)
    auroc_times.append((time.perf_counter() - t0) * 1000)

print(json.dumps({
    "postprocess_ms": float(np.median(times)),
    "curve_postprocess_s_estimated_from_10": curve_s,
    "auroc_ms": float(np.median(auroc_times)),
    "auroc": float(auroc),
    "events": len(events),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
