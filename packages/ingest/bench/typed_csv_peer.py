#!/usr/bin/env python3
"""Peers of bench/typed-csv.mjs: pandas.read_csv and pyarrow.csv.read_csv of the same file (strings
as category dtype in pandas, dictionary-encoded in pyarrow, the closest to readTypedCsv's codes).
python3 bench/typed_csv_peer.py FILE [REPS]"""
import json
import resource
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

file = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
cats = {f"c{j}": "category" for j in range(20)}
for name, read in [
    ("pandas.read_csv(dtype=category)", lambda: pd.read_csv(file, dtype=cats)),
    ("pandas.read_csv(pyarrow engine, dtype=category)", lambda: pd.read_csv(file, dtype=cats, engine="pyarrow")),
    ("pyarrow.csv.read_csv(dictionary)", lambda: pacsv.read_csv(file, convert_options=pacsv.ConvertOptions(column_types={k: pa.dictionary(pa.int32(), pa.string()) for k in cats}))),
]:
    seconds = []
    for _ in range(reps):
        t = time.perf_counter()
        table = read()
        seconds.append(time.perf_counter() - t)
    print(json.dumps({"tool": name, "rows": table.shape[0] if hasattr(table, "shape") else table.num_rows, "s": [round(s, 3) for s in seconds], "best_s": round(min(seconds), 3),
                      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
