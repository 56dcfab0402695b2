"""Shared by the Python peers: read a Data Capture JSON Lines file into pandas DataFrames.

Each line is parsed with the standard library's json.loads; the CSV payloads of endpointOutput
and endpointInput are joined (output columns first, as Model Monitor orders them) and the
collected rows are handed to pandas' C CSV parser, which infers the column types (numbers,
strings, empty fields as NaN). Columns are named _c0, _c1, ... as in Model Monitor. The file is
read in chunks of CHUNK lines, so memory is bounded by the chunk, not the file.
"""

import io
import json

import pandas as pd

CHUNK = 200_000


def frames(path, chunk=CHUNK):
    """Yields one DataFrame per `chunk` capture lines."""
    rows = []
    with open(path, "rb") as f:
        for line in f:
            cd = json.loads(line)["captureData"]
            rows.append(cd["endpointOutput"]["data"] + "," + cd["endpointInput"]["data"])
            if len(rows) >= chunk:
                yield to_frame(rows)
                rows = []
    if rows:
        yield to_frame(rows)


def to_frame(rows):
    df = pd.read_csv(io.StringIO("\n".join(rows)), header=None)
    df.columns = [f"_c{i}" for i in range(df.shape[1])]
    return df
