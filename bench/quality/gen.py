#!/usr/bin/env python3
"""Writes a day of N predictions (driftline's stored form, as analyze-capture records them) and
their N ground-truth labels (Model Monitor's groundTruthData records, shuffled), for
scripts/bench-quality.sh. Deterministic (seed 1)."""
import json
import random
import sys
import uuid

n, preds_path, labels_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(1)
day0 = 1_795_564_800_000  # 2026-11-25T00:00:00Z
ids = []
with open(preds_path, "w") as f:
    for i in range(n):
        k = str(uuid.UUID(int=rng.getrandbits(128)))
        score = round(rng.random(), 4)
        f.write(json.dumps({"k": k, "t": day0 + i * 86_400_000 // n, "l": "1" if score >= 0.5 else "0", "s": score},
                           separators=(",", ":")) + "\n")
        ids.append((k, score))
rng.shuffle(ids)
with open(labels_path, "w") as f:
    for k, score in ids:
        y = "1" if rng.random() < 0.15 + 0.7 * score else "0"
        f.write(json.dumps({"groundTruthData": {"data": y, "encoding": "CSV"},
                            "eventMetadata": {"eventId": k}, "eventVersion": "0"},
                           separators=(",", ":")) + "\n")
