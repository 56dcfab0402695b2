"""A corpus of hostile capture files (issue 16: bad input through the Lambda path) and what
analyze-capture must make of each: the good records it must count, the faults it must record.

    python3 tests/hostile/corpus.py OUT_DIR     # writes OUT_DIR/*.jsonl and OUT_DIR/expected.json

Every file mixes good records (3 CSV features, one output) with one kind of damage. `good` is
the exact number of records that must be profiled; `min_bad` the least number of lines that
must be counted malformed; `lines` the lines that must be accounted for (profiled or
malformed); `faults` the fault kinds that must all appear in the file's profile, `faults_any`
kinds of which one must.
"""
import base64
import gzip
import json
import sys
from pathlib import Path


def record(i: int, data: str = None, encoding: str = "CSV", content_type: str = "text/csv") -> str:
    return json.dumps({
        "captureData": {
            "endpointInput": {"observedContentType": content_type, "mode": "INPUT",
                              "data": data if data is not None else f"{i},{i * 2}.5,{i % 7}",
                              "encoding": encoding},
            "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                               "data": f"0.{i % 10}", "encoding": "CSV"}},
        "eventMetadata": {"eventId": f"e-{i}", "inferenceTime": "2022-04-18T00:21:48Z"},
        "eventVersion": "0"}, separators=(",", ":"))


def good(n: int, start: int = 0) -> list[str]:
    return [record(start + i) for i in range(n)]


def lines(ls: list[str], sep: str = "\n") -> bytes:
    return (sep.join(ls) + sep).encode()


def corpus() -> dict[str, tuple[bytes, dict]]:
    c: dict[str, tuple[bytes, dict]] = {}
    full = good(5)
    cut = record(99)[:70]
    c["truncated"] = ((lines(full) + cut.encode()), {"good": 5, "min_bad": 1})
    long_line = record(7, data="9," * (25 * 1024 * 1024))  # a 50 MB line
    c["line-50mb"] = (lines(good(3) + [long_line] + good(2, 10)),
                      {"good": 5, "min_bad": 1, "faults": ["line_too_long"]})
    nul = record(5)[:60] + "\0\0\0" + record(5)[60:]
    c["nul-bytes"] = (lines(good(4) + [nul]), {"good": 4, "min_bad": 1})
    c["nested-200k"] = (lines(good(3)) + b"[" * 200_000 + b"]" * 200_000 + b"\n" + lines(good(1, 50)),
                        {"good": 4, "min_bad": 1})
    wide = record(3, data=",".join(str(i) for i in range(10_000)))
    # After narrower rows a wide row is a width mismatch; alone, it is over the column limit.
    c["columns-10k"] = (lines(good(2) + [wide]), {"good": 2, "min_bad": 1, "faults": ["column_count"]})
    c["columns-10k-only"] = (lines([wide, wide]), {"lines": 2, "faults_any": ["too_many_columns", "column_count"]})
    c["odd-numbers"] = (lines([record(i, data=d) for i, d in enumerate(["1e400,2,3", "NaN,-0,3", "-0,1e-400,inf", "1,2,3"])]),
                        {"good": 4, "min_bad": 0})
    c["bom"] = (b"\xef\xbb\xbf" + lines(good(3)), {"lines": 3})
    c["crlf"] = (lines(good(6), sep="\r\n"), {"good": 6, "min_bad": 0})
    mixed = [record(0), record(1, data=base64.b64encode(b"1,2,3").decode(), encoding="BASE64"),
             record(2, data=json.dumps({"a": 1, "b": 2, "c": 3}), encoding="JSON", content_type="application/json")]
    c["mixed-encodings"] = (lines(mixed), {"lines": 3})
    c["bad-base64"] = (lines(good(3) + [record(9, data="!!!not base64!!!", encoding="BASE64")]),
                       {"good": 3, "min_bad": 1, "faults": ["bad_base64"]})
    c["invalid-utf8"] = (lines(good(3)) + record(8).encode()[:50] + b"\xff\xfe\xfd" + record(8).encode()[50:] + b"\n",
                         {"good": 3, "min_bad": 1, "faults": ["invalid_utf8"]})
    c["not-gzip"] = (b"\x1f\x8b" + b"\x00garbage, not deflate" * 100, {"good": 0, "faults": ["corrupt_gzip"]})
    gz = gzip.compress(lines(good(2000)))
    c["gzip-cut-short"] = (gz[: len(gz) // 2], {"faults": ["truncated_gzip"]})
    c["gzip-good"] = (gzip.compress(lines(good(50))), {"good": 50, "min_bad": 0})
    c["empty"] = (b"", {"good": 0})
    c["million-empty-objects"] = (b"{}\n" * 1_000_000, {"good": 0, "min_bad": 1_000_000})
    return c


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (body, exp) in corpus().items():
        (out / f"{name}.jsonl").write_bytes(body)
        expected[name] = {**exp, "size": len(body)}
    (out / "expected.json").write_text(json.dumps(expected, indent=1))
    print(f"{len(expected)} hostile files in {out}")


if __name__ == "__main__":
    main()
