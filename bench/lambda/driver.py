#!/usr/bin/env python3
"""Issue 4 "Targets": measures the release `analyze-capture` binary behind a stub Lambda runtime API.

Two measurements, each next to a named baseline measured in the same run:

* ``rss``: peak RSS (kernel ``VmHWM`` read from ``/proc/PID/status`` after the invocation's response
  arrived, just before the process is stopped) of one invocation analysing a ~100 MB capture object
  end to end: moto (S3 emulator) -> streaming GetObject -> profile -> partial profile, window merge,
  baseline evaluation -> reports written back to moto. Baseline: ``naive_load_whole.py`` (boto3 GETs the
  object whole and ``json.loads`` each line), whose peak RSS is measured the same way.
* ``start``: process start to ready for the first event: the driver takes ``time.monotonic_ns()``
  just before ``Popen``; the stub records ``time.monotonic_ns()`` when the first
  ``GET /2018-06-01/runtime/invocation/next`` arrives (same process, same clock). Median of N runs.
  Baselines: ``connect_next`` (std-only Rust, one TCP connection and the same GET) and ``/bin/true``
  (spawn to exit).

Everything binds to 127.0.0.1 and every process started here is stopped before exit.
Writes a JSON result document to ``--out``.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKET = "driftline-bench"
ENDPOINT = "bench-ep"
CAPTURE_KEY = f"datacapture/{ENDPOINT}/AllTraffic/2026/11/25/10/bench-100mb.jsonl"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:analyze-capture"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_kib(pid: int) -> int:
    """Peak resident set size (VmHWM) of a live process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for pid {pid}")


class Stub:
    """A minimal Lambda runtime API: hands out queued events; records arrivals and results."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, bytes]] = []
        self.next_arrivals: list[int] = []
        self.results: dict[str, tuple[str, bytes]] = {}
        self.result_cv = threading.Condition(self.lock)
        self.release = threading.Event()
        stub = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def do_GET(self) -> None:
                t = time.monotonic_ns()
                if self.path != "/2018-06-01/runtime/invocation/next":
                    self._send(404, b"{}")
                    return
                with stub.lock:
                    stub.next_arrivals.append(t)
                    ev = stub.events.pop(0) if stub.events else None
                if ev is None:
                    # Hold the long poll as the real API does; the client is stopped meanwhile.
                    stub.release.wait(120)
                    self.close_connection = True
                    return
                rid, body = ev
                self._send(
                    200,
                    body,
                    {
                        "Lambda-Runtime-Aws-Request-Id": rid,
                        "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 900_000),
                        "Lambda-Runtime-Invoked-Function-Arn": ARN,
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                    },
                )

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                parts = self.path.strip("/").split("/")
                # 2018-06-01/runtime/invocation/{id}/{response|error}
                if len(parts) == 5 and parts[2] == "invocation" and parts[4] in ("response", "error"):
                    with stub.result_cv:
                        stub.results[parts[3]] = (parts[4], body)
                        stub.result_cv.notify_all()
                    self._send(202, b'{"status":"OK"}')
                else:
                    self._send(404, b"{}")

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_next(self, count: int, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.next_arrivals) >= count:
                    return True
            time.sleep(0.0005)
        return False

    def wait_result(self, rid: str, timeout: float) -> tuple[str, bytes] | None:
        with self.result_cv:
            self.result_cv.wait_for(lambda: rid in self.results, timeout)
            return self.results.get(rid)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def lambda_env(stub: Stub, moto_url: str | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{stub.port}",
        "AWS_LAMBDA_FUNCTION_NAME": "analyze-capture",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/25/[$LATEST]bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/analyze-capture",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true",
        "DRIFTLINE_BUCKET": BUCKET,
        "RUST_LOG": "warn",
    }
    env["AWS_ENDPOINT_URL"] = moto_url or "http://127.0.0.1:9"
    return env


def s3_event(bucket: str, key: str, size: int) -> bytes:
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": "2026-11-25T10:30:00.000Z",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": key, "size": size, "sequencer": "0A1B2C3D4E5F678901"},
                    },
                }
            ]
        }
    ).encode()


def start_moto(venv: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    p = subprocess.Popen(
        [f"{venv}/bin/moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return p, url
        except OSError:
            time.sleep(0.1)
    stop(p)
    raise RuntimeError("moto_server did not start")


def measure_rss(args: argparse.Namespace) -> dict:
    import boto3

    moto, url = start_moto(args.venv)
    stub = Stub()
    out: dict = {}
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        s3.create_bucket(Bucket=BUCKET)
        for name in ("statistics.json", "constraints.json"):
            s3.upload_file(os.path.join(args.baseline_dir, name), BUCKET, f"driftline/baselines/{ENDPOINT}/{name}")
        size = os.path.getsize(args.capture)
        with open(args.capture, "rb") as f:
            lines = sum(1 for _ in f)
        s3.upload_file(args.capture, BUCKET, CAPTURE_KEY)
        out["object"] = {"key": CAPTURE_KEY, "bytes": size, "records": lines}

        # driftline: one invocation through the stub runtime API.
        rid = "bench-rss-1"
        stub.events.append((rid, s3_event(BUCKET, CAPTURE_KEY, size)))
        log = open(args.log, "wb")
        t0 = time.monotonic()
        p = subprocess.Popen([args.binary], env=lambda_env(stub, url), stdout=log, stderr=subprocess.STDOUT)
        try:
            res = stub.wait_result(rid, args.timeout)
            elapsed = time.monotonic() - t0
            if res is None:
                raise RuntimeError(f"no response within {args.timeout}s (log: {args.log})")
            # The binary is now idle in its next long poll: its VmHWM is the invocation's peak.
            stub.wait_next(2, 10)
            hwm = vm_hwm_kib(p.pid)
        finally:
            stop(p)
            log.close()
        kind, body = res
        out["driftline"] = {
            "command": f"{args.binary} (stub runtime API, S3 at moto)",
            "outcome": kind,
            "response": json.loads(body or b"null"),
            "peak_rss_kib": hwm,
            "spawn_to_response_s": round(elapsed, 3),
        }
        if kind != "response":
            raise RuntimeError(f"invocation failed: {body[:500]!r}")
        report_keys = [
            o["Key"]
            for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"driftline/reports/{ENDPOINT}/").get("Contents", [])
        ]
        out["driftline"]["report_keys"] = report_keys
        if not any(k.endswith("statistics.json") for k in report_keys):
            raise RuntimeError(f"no report written: {report_keys}")

        # Baseline: the naive path that loads the whole object.
        naive = os.path.join(os.path.dirname(os.path.abspath(__file__)), "naive_load_whole.py")
        t0 = time.monotonic()
        r = subprocess.run(
            [sys.executable, naive, url, BUCKET, CAPTURE_KEY],
            capture_output=True,
            check=True,
            timeout=args.timeout,
        )
        out["naive"] = json.loads(r.stdout)
        out["naive"]["command"] = f"{sys.executable} bench/lambda/naive_load_whole.py"
        out["naive"]["elapsed_s"] = round(time.monotonic() - t0, 3)
    finally:
        stub.stop()
        stop(moto)
    return out


def measure_start(args: argparse.Namespace) -> dict:
    stub = Stub()
    programs = {
        "analyze-capture": [args.binary],
        "connect_next": [args.connect_next],
    }
    res: dict = {"runs": args.runs}
    try:
        env = lambda_env(stub, None)
        for name, cmd in programs.items():
            samples = []
            for _ in range(args.runs):
                with stub.lock:
                    before = len(stub.next_arrivals)
                t0 = time.monotonic_ns()
                p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ok = stub.wait_next(before + 1, 10)
                stop(p)
                if not ok:
                    raise RuntimeError(f"{name} never polled for an event")
                with stub.lock:
                    samples.append((stub.next_arrivals[before] - t0) / 1e6)
            res[name] = summary(samples)
        samples = []
        for _ in range(args.runs):
            t0 = time.monotonic_ns()
            subprocess.run(["/bin/true"], check=True)
            samples.append((time.monotonic_ns() - t0) / 1e6)
        res["bin_true"] = summary(samples)
    finally:
        stub.stop()
    return res


def summary(ms: list[float]) -> dict:
    s = sorted(ms)
    return {
        "median_ms": round(statistics.median(s), 2),
        "min_ms": round(s[0], 2),
        "p90_ms": round(s[min(len(s) - 1, int(0.9 * len(s)))], 2),
        "max_ms": round(s[-1], 2),
        "samples_ms": [round(x, 2) for x in ms],
    }


def main() -> None:
    # SIGTERM (the script's trap) unwinds through the finally blocks that stop moto and the binary.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["rss", "start"])
    ap.add_argument("--binary", required=True, help="release analyze-capture")
    ap.add_argument("--connect-next", help="the compiled connect_next.rs (start mode)")
    ap.add_argument("--capture", help="capture file to upload (rss mode)")
    ap.add_argument("--baseline-dir", help="directory with statistics.json and constraints.json (rss mode)")
    ap.add_argument("--venv", default=os.environ.get("DRIFTLINE_VENV", "/work/main/.venv"))
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--log", default="/dev/null", help="the binary's stdout/stderr (rss mode)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    res = measure_rss(args) if args.mode == "rss" else measure_start(args)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=2)
    print(json.dumps({k: v for k, v in res.items() if k != "samples_ms"}, indent=2)[:3000])


if __name__ == "__main__":
    main()
