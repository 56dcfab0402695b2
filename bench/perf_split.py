"""Summarises `perf report --no-children --sort symbol --stdio` output (stdin) by component:
the statistics crate (KLL sketches incl. sorting, moments, string frequencies, type inference),
the capture reader (envelope scan, payload decoding, CSV splitting), memory copies, kernel."""

import collections
import sys

groups = collections.Counter()
top = collections.Counter()
for line in sys.stdin:
    parts = line.split()
    if len(parts) < 3 or not parts[0].endswith("%"):
        continue
    try:
        pct = float(parts[0].rstrip("%"))
    except ValueError:
        continue
    sym = " ".join(parts[2:])
    while sym.endswith(" -"):
        sym = sym[:-2]
    if "[k]" in line:
        g = "kernel (read syscalls)"
    elif (
        "driftline_stats" in sym
        or "sort" in sym
        or "median3" in sym
        # The profile update, inlined into the capture reader's row sink.
        or "ProfileBuilder" in sym
    ):
        g = "driftline-stats (profile: KLL + sorting, moments, strings, type inference)"
    elif "driftline_capture" in sym or "memchr" in sym or "from_utf8" in sym or "serde_json" in sym:
        g = "driftline-capture (envelope scan, payload decode, CSV split)"
    elif "memmove" in sym or "memcmp" in sym or "memset" in sym or "malloc" in sym or "free" in sym:
        g = "libc memory (copies, compares, allocation)"
    else:
        g = "other"
    groups[g] += pct
    top[sym] += pct
print("| component | share of samples |")
print("|---|---:|")
for g, v in groups.most_common():
    print(f"| {g} | {v:.1f} % |")
print()
print("Top symbols: " + "; ".join(f"`{s[:60]}` {v:.1f} %" for s, v in top.most_common(8)))
