"""whylogs peer: profile a Data Capture file with whylogs (chunked, profiles merged).

usage: whylogs_profile.py CAPTURE.jsonl
Parsing (capture_frames.py) is part of the measured job. Each chunk's DataFrame is profiled
with why.log(pandas=df) and the chunk profiles are merged into one profile view (whylogs'
standard metrics: counts, types, distribution sketch (KLL), cardinality (HLL), frequent items).
The merged profile is written to a .bin file next to the input's output path argument.
"""

import sys
import time

import whylogs as why

from capture_frames import frames

t0 = time.perf_counter()
c0 = time.process_time()
merged = None
records = 0
for df in frames(sys.argv[1]):
    records += len(df)
    view = why.log(pandas=df).view()
    merged = view if merged is None else merged.merge(view)
out = sys.argv[2] if len(sys.argv) > 2 else "/dev/null"
merged.write(out)
print(f"records {records} columns {len(merged.get_columns())} seconds {time.perf_counter() - t0:.2f} cpu {time.process_time() - c0:.2f}")
