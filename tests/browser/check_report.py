#!/usr/bin/env python3
"""Loads an HTML report in headless Chromium and checks it, over the Chrome DevTools Protocol.

    check_report.py REPORT.html EXPECTED.json [--screenshot PNG] [--phone-screenshot PNG]
                    [--pdf PDF] [--chromium /usr/bin/chromium] [--json]

EXPECTED.json: {"features": [{"name": ..., "kind": "numeric"|"categorical", "trend": bool}],
                "elements": [{"selector": CSS, "text": ..., "img": bool, "drawn": TAG}]}
("elements" is optional: other reports, e.g. the model-quality one, name what must be drawn).

Chromium is started with its own empty profile and `--remote-debugging-port=0` on 127.0.0.1;
the port comes from `DevToolsActivePort` in the profile, and one WebSocket (websocket-client)
drives the page. Checks, each reported as a problem when it fails:

* console: no `console.error`/`console.assert`, no uncaught exception (`Runtime.exceptionThrown`),
  no error entry in the browser log (`Log.entryAdded`: failed loads, CSP, …);
* network: the page requests nothing but its own file (no http(s), no `//` URLs, no data fetch);
* DOM: for every expected feature a `section.feature[data-feature=NAME]` whose distribution SVG
  (`svg.chart-svg`, `role="img"`, `aria-labelledby` → a non-empty title) has a rendered size and
  at least one bar with a non-zero bounding box; a trend SVG with a line when `trend` is true;
* elements: each `elements` entry matches an element with a rendered size, containing `text`
  when given; `img`: an SVG with `role="img"` and a non-empty `<title>`; `drawn`: at least one
  descendant of that tag with a non-zero bounding box;
* layout: at phone width (390 px) the layout viewport is the phone's (a viewport meta tag) and
  the page itself does not scroll sideways (wide charts scroll in their own box);
* print: `Page.printToPDF` produces a PDF.

Exit status 0 when there is no problem, 1 when there is one (problems printed, one per line),
2 when the browser could not be driven at all.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # websocket-client

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]

DOM_PROBE = r"""
(() => {
  const out = {sections: {}, scripts: document.scripts.length, title: document.title};
  for (const s of document.querySelectorAll('section.feature')) {
    const svgs = [...s.querySelectorAll('svg')].map(svg => {
      const r = svg.getBoundingClientRect();
      const lab = svg.getAttribute('aria-labelledby');
      const t = lab ? document.getElementById(lab) : null;
      // Bars need an area; a line (possibly flat) needs a length.
      const visible = (sel, area) => [...svg.querySelectorAll(sel)].filter(e => {
        const b = e.getBBox(); return area ? b.width > 0 && b.height > 0 : b.width + b.height > 0;
      }).length;
      return {
        cls: svg.getAttribute('class') || '',
        role: svg.getAttribute('role'),
        title: t && svg.contains(t) ? t.textContent.trim() : '',
        width: r.width, height: r.height,
        children: svg.childElementCount,
        bars: visible('rect.bar', true),
        lines: visible('polyline', false),
        texts: svg.querySelectorAll('text').length,
      };
    });
    out.sections[s.getAttribute('data-feature')] = svgs;
  }
  return out;
})()
"""


ELEMENT_PROBE = r"""
((specs) => specs.map(spec => {
  const e = document.querySelector(spec.selector);
  if (!e) return {found: false};
  const r = e.getBoundingClientRect();
  const lab = e.getAttribute('aria-labelledby');
  const t = lab ? document.getElementById(lab) : null;
  const drawn = spec.drawn ? [...e.querySelectorAll(spec.drawn)].filter(d => {
    const b = d.getBBox ? d.getBBox() : d.getBoundingClientRect(); return b.width + b.height > 0;
  }).length : null;
  return {found: true, width: r.width, height: r.height, text: e.textContent,
          role: e.getAttribute('role'), title: t && e.contains(t) ? t.textContent.trim() : '', drawn};
}))
"""


def element_problems(results, specs):
    problems = []
    for spec, r in zip(specs, results):
        sel = spec["selector"]
        if not r["found"]:
            problems.append(f"dom: no element {sel!r}")
            continue
        if r["width"] <= 0 or r["height"] <= 0:
            problems.append(f"dom: {sel!r} is not rendered ({r['width']}x{r['height']})")
        if spec.get("text") and spec["text"] not in r["text"]:
            problems.append(f"dom: {sel!r} does not contain {spec['text']!r}")
        if spec.get("img") and (r["role"] != "img" or not r["title"]):
            problems.append(f"dom: {sel!r} lacks role=img or a title")
        if spec.get("drawn") and not r["drawn"]:
            problems.append(f"dom: {sel!r} draws no {spec['drawn']}")
    return problems


class Cdp:
    """A headless Chromium and one page target, driven over a WebSocket."""

    def __init__(self, chromium, log_path):
        self.profile = tempfile.mkdtemp(prefix="driftline-chromium-")
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.events = []
        self.next_id = 0
        self.ws = None
        try:
            port = self._port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.load(r)
            page = next(t for t in targets if t.get("type") == "page")
            self.ws = websocket.create_connection(
                page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
            )
        except Exception:
            self.close()
            raise

    def _port(self):
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode} (see log)")
            try:
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its DevTools port within 30 s")

    def send(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method, timeout=30):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def drain(self, seconds):
        """Collects events for a little while (late console messages)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in msg:
                self.events.append(msg)
        self.ws.settimeout(30)

    def close(self):
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def load(cdp, url, width, height, mobile):
    cdp.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=2 if mobile else 1,
        mobile=mobile,
    )
    cdp.events.clear()
    cdp.send("Page.navigate", url=url)
    cdp.wait_for("Page.loadEventFired")
    cdp.drain(0.5)


def console_problems(events, page_url):
    problems = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text")
            problems.append(f"console: uncaught exception: {text}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console: console.{p['type']}: {args}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            problems.append(f"console: log error ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if url != page_url and not url.startswith("about:"):
                problems.append(f"network: the page requested {url}")
    return problems


def dom_problems(probe, expected):
    problems = []
    sections = probe.get("sections", {})
    for f in expected["features"]:
        name = f["name"]
        svgs = sections.get(name)
        if svgs is None:
            problems.append(f"dom: no section for feature {name!r}")
            continue
        charts = [s for s in svgs if "chart-svg" in s["cls"].split()]
        if not charts:
            problems.append(f"dom: feature {name!r} has no distribution SVG")
        for s in charts:
            if s["role"] != "img" or not s["title"]:
                problems.append(f"dom: feature {name!r}: chart SVG lacks role=img or a title")
            if s["width"] <= 0 or s["height"] <= 0 or s["children"] == 0:
                problems.append(f"dom: feature {name!r}: chart SVG is empty ({s})")
            elif s["bars"] < 1 or s["texts"] < 1:
                problems.append(f"dom: feature {name!r}: chart SVG draws no bar or no text ({s})")
        if f.get("trend"):
            trends = [s for s in svgs if "trend-svg" in s["cls"].split()]
            if not trends or any(t["lines"] < 1 or t["width"] <= 0 for t in trends):
                problems.append(f"dom: feature {name!r}: no rendered trend line")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report")
    ap.add_argument("expected")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--screenshot")
    ap.add_argument("--screenshot-height", type=int, default=1700)
    ap.add_argument(
        "--screenshot-until",
        metavar="SELECTOR",
        help="end the screenshot below the element SELECTOR matches (instead of a fixed height)",
    )
    ap.add_argument("--phone-screenshot")
    ap.add_argument("--pdf")
    ap.add_argument("--log", default=None, help="chromium's own output (default: beside the report)")
    args = ap.parse_args()

    report = os.path.abspath(args.report)
    url = "file://" + report
    with open(args.expected) as f:
        expected = json.load(f)
    log_path = args.log or os.path.splitext(report)[0] + ".chromium.log"
    problems = []
    try:
        cdp = Cdp(args.chromium, log_path)
    except Exception as e:  # noqa: BLE001 - any failure to start is fatal
        print(f"cannot drive chromium: {e}", file=sys.stderr)
        return 2
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            cdp.send(f"{domain}.enable")
        # Desktop width: console, network, DOM, screenshot.
        load(cdp, url, 1200, 900, False)
        problems += console_problems(cdp.events, url)
        probe = cdp.send("Runtime.evaluate", expression=DOM_PROBE, returnByValue=True)
        if "exceptionDetails" in probe:
            problems.append(f"dom: probe failed: {probe['exceptionDetails']}")
        else:
            problems += dom_problems(probe["result"]["value"], expected)
        specs = expected.get("elements", [])
        if specs:
            probe = cdp.send(
                "Runtime.evaluate",
                expression=f"{ELEMENT_PROBE}({json.dumps(specs)})",
                returnByValue=True,
            )
            if "exceptionDetails" in probe:
                problems.append(f"dom: element probe failed: {probe['exceptionDetails']}")
            else:
                problems += element_problems(probe["result"]["value"], specs)
        if args.screenshot:
            height = args.screenshot_height
            if args.screenshot_until:
                bottom = cdp.send(
                    "Runtime.evaluate",
                    expression="(() => { const e = document.querySelector(%s);"
                    " return e ? e.getBoundingClientRect().bottom + window.scrollY + 16 : 0; })()"
                    % json.dumps(args.screenshot_until),
                    returnByValue=True,
                )["result"].get("value", 0)
                height = int(bottom) or height
            shot = cdp.send(
                "Page.captureScreenshot",
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": 1200, "height": height, "scale": 1},
            )
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        if args.pdf:
            pdf = base64.b64decode(cdp.send("Page.printToPDF", printBackground=True)["data"])
            if not pdf.startswith(b"%PDF") or len(pdf) < 1000:
                problems.append("print: printToPDF produced no PDF")
            with open(args.pdf, "wb") as f:
                f.write(pdf)
        # Phone width: the page must not scroll sideways.
        load(cdp, url, 390, 844, True)
        problems += [p + " (phone)" for p in console_problems(cdp.events, url)]
        width = cdp.send(
            "Runtime.evaluate",
            expression="[document.documentElement.scrollWidth, window.innerWidth]",
            returnByValue=True,
        )["result"]["value"]
        if width[1] > 400:
            problems.append(f"layout: no phone viewport (layout width {width[1]} px at 390 px)")
        if width[0] > width[1] + 1:
            problems.append(f"layout: page is {width[0]} px wide at phone width {width[1]} px")
        if args.phone_screenshot:
            shot = cdp.send("Page.captureScreenshot", format="png")
            with open(args.phone_screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
    except Exception as e:  # noqa: BLE001
        print(f"cannot drive chromium: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    finally:
        cdp.close()

    for p in problems:
        print(p)
    n = len(expected["features"])
    print(f"{report}: {n} features expected, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
