"""A fault-injecting HTTP proxy in front of moto_server (issue 16: AWS faults).

    python3 tests/faults/proxy.py PORT UPSTREAM_URL

Forwards every request to UPSTREAM_URL unchanged, except those matching a rule set with
`POST /__faults` (a JSON list of {"method", "path_contains", "query_contains", "kind", "times"}):
the next `times` matching requests get the fault instead of the upstream's answer. `GET /__faults` returns the rules with the count each has injected.

Kinds: `throttle` (503 SlowDown), `server` (500 InternalError), `reset` (the connection is
closed without an answer), `access_denied` (403 AccessDenied), `not_found` (404 NoSuchKey),
`precondition` (412 PreconditionFailed), `stall` (no answer for `seconds`, default 20, then the
upstream's: a connection that stops answering), `stall_body` (the upstream's headers and the
first half of its body, then silence for `seconds` and a closed connection: a stall in the
middle of a body). Binds 127.0.0.1 only.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RULES: list[dict] = []
LOCK = threading.Lock()
ERRORS = {
    "throttle": (503, "SlowDown", "Please reduce your request rate."),
    "server": (500, "InternalError", "We encountered an internal error. Please try again."),
    "access_denied": (403, "AccessDenied", "Access Denied"),
    "not_found": (404, "NoSuchKey", "The specified key does not exist."),
    "precondition": (412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
}
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: urllib.parse.ParseResult

    def log_message(self, *_):  # quiet
        pass

    def body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def control(self, data: bytes) -> None:
        global RULES
        with LOCK:
            if self.command == "POST":
                RULES = [{**r, "injected": 0} for r in json.loads(data or b"[]")]
            self.reply(200, json.dumps(RULES).encode(), {"Content-Type": "application/json"})

    def matching_rule(self) -> dict | None:
        path, _, query = self.path.partition("?")
        with LOCK:
            for r in RULES:
                if r.get("method", self.command) != self.command:
                    continue
                if r.get("path_contains", "") not in urllib.parse.unquote(path):
                    continue
                if r.get("query_contains", "") not in query:
                    continue
                if r["injected"] >= r.get("times", 1):
                    continue
                r["injected"] += 1
                return r
        return None

    def handle_any(self) -> None:
        data = self.body()
        if self.path.startswith("/__faults"):
            return self.control(data)
        rule = self.matching_rule()
        if rule is not None:
            kind = rule["kind"]
            if kind == "reset":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if kind == "stall":
                time.sleep(rule.get("seconds", 20))
                return self.forward(data)
            if kind == "stall_body":
                return self.forward(data, stall=rule.get("seconds", 20))
            status, code, message = ERRORS[kind]
            xml = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                   f"<Message>{message}</Message><RequestId>fault</RequestId></Error>").encode()
            return self.reply(status, xml, {"Content-Type": "application/xml", "x-amz-request-id": "fault"})
        return self.forward(data)

    def forward(self, data: bytes, stall: float | None = None) -> None:
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if data or self.command in ("PUT", "POST"):
            headers["Content-Length"] = str(len(data))
        conn.request(self.command, self.path, body=data, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP | {"content-length"}}
        if self.command == "HEAD":
            # No body, but the object's length as the upstream said it.
            self.send_response(resp.status)
            for k, v in out.items():
                self.send_header(k, v)
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
            self.end_headers()
        elif stall is not None:
            self.send_response(resp.status)
            for k, v in out.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            time.sleep(stall)
            self.close_connection = True
        else:
            self.reply(resp.status, payload, out)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


def main() -> None:
    port, upstream = int(sys.argv[1]), sys.argv[2]
    Proxy.upstream = urllib.parse.urlparse(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
