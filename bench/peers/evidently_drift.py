"""Evidently peer: Evidently's data-drift report of a Data Capture file against the baseline.

usage: evidently_drift.py BASELINE.csv CAPTURE.jsonl OUT.json
Parsing is part of the measured job: the capture file is read with capture_frames.py (all
chunks concatenated: Evidently needs the whole current window as one DataFrame), the baseline
CSV with pandas.read_csv. Report([DataDriftPreset()]) runs with Evidently's default per-column
tests (K-S for numeric columns, chi-squared / Jensen-Shannon for categorical ones, by size)
and the result is saved as JSON.
"""

import sys
import time

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

from capture_frames import frames

t0 = time.perf_counter()
c0 = time.process_time()
ref = pd.read_csv(sys.argv[1], header=None)
ref.columns = [f"_c{i}" for i in range(ref.shape[1])]
cur = pd.concat(list(frames(sys.argv[2])), ignore_index=True)
snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
snapshot.save_json(sys.argv[3])
drift = snapshot.dict()
print(f"records {len(cur)} seconds {time.perf_counter() - t0:.2f} cpu {time.process_time() - c0:.2f}")
