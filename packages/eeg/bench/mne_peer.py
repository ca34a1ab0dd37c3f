"""Peer for bench/run.mjs: Debian's python3-mne read_raw_edf on the same file (run with /usr/bin/python3).
Usage: mne_peer.py FILE.edf REPEATS OUT.f64
Prints JSON {mne, seconds: [...], channels, samples}; writes the last read's data in physical units
(uV, i.e. volts × 1e6), channel-major float64, to OUT.f64 for the value check."""
import json
import sys
import time

import mne
import numpy as np

path, repeats, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mne.set_log_level("ERROR")
seconds = []
data = None
for _ in range(repeats):
    t0 = time.perf_counter()
    raw = mne.io.read_raw_edf(path, preload=True, verbose="ERROR")
    data = raw.get_data()
    seconds.append(time.perf_counter() - t0)
(data * 1e6).astype(np.float64).tofile(out)
print(json.dumps({"mne": mne.__version__, "numpy": np.__version__, "seconds": seconds, "channels": int(data.shape[0]), "samples": int(data.shape[1])}))
