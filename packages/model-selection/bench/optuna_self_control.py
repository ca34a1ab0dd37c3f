"""Control for the TPE-vs-Optuna benchmark: how often is Optuna's own TPE "worse" than Optuna's TPE
when the only difference is the seeds? Splits one run of `search_peer.py quality 60 100` into three
blocks of 20 seeds and compares the block medians of the best value after 25, 50 and 100 trials,
cell by cell, as the issue's criterion ("median over 20 seeds no worse on each cell") does.
Usage: python3 search_peer.py quality 60 100 > optuna60.json && python3 optuna_self_control.py optuna60.json
"""
import itertools
import json
import statistics
import sys

doc = json.loads(open(sys.argv[1]).read().strip().split("\n")[-1])
functions = {k: v for k, v in doc.items() if isinstance(v, list)}
blocks = [(0, 20), (20, 40), (40, 60)]
rows = []
for name, curves in functions.items():
    for t in (25, 50, 100):
        rows.append((name, t, [statistics.median(c[t - 1] for c in curves[a:b]) for a, b in blocks]))
print("| cell | seeds 0-19 | seeds 20-39 | seeds 40-59 |")
print("|---|---|---|---|")
for name, t, meds in rows:
    print(f"| {name}@{t} | " + " | ".join(f"{m:.4g}" for m in meds) + " |")
print()
for i, j in itertools.permutations(range(3), 2):
    worse = sum(1 for _, _, m in rows if m[i] > m[j])
    print(f"- Optuna, seeds {blocks[i][0]}-{blocks[i][1] - 1} vs Optuna, seeds {blocks[j][0]}-{blocks[j][1] - 1}: worse median in {worse} of 9 cells")
