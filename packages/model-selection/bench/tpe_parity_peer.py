"""Peer of bench/tpe-parity.mjs: Optuna's TPESampler proposal for one fixed history, over many seeds.
Reads {"bounds": [[lo, hi], ...], "history": [[x..., y], ...], "seeds": S} on stdin; prints
{"optuna": version, "proposals": [[x...], ...]} (one proposal per seed: a fresh study told the history,
then study.ask()).
"""
import json
import sys

import optuna
from optuna.distributions import FloatDistribution
from optuna.trial import create_trial

optuna.logging.set_verbosity(optuna.logging.ERROR)

spec = json.load(sys.stdin)
dists = {f"x{i}": FloatDistribution(lo, hi) for i, (lo, hi) in enumerate(spec["bounds"])}
history = [create_trial(params={f"x{i}": v for i, v in enumerate(row[:-1])}, distributions=dists, value=row[-1]) for row in spec["history"]]
proposals = []
for seed in range(spec["seeds"]):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.add_trials(history)
    trial = study.ask(dists)
    proposals.append([trial.params[f"x{i}"] for i in range(len(dists))])
print(json.dumps({"optuna": optuna.__version__, "proposals": proposals}))
