#!/usr/bin/env python3
"""CONTRACT §9: the web console in a real browser (Debian's chromium, headless, driven by
chromedriver through python3-selenium) against a real `rogatory serve` on a temporary SQLite
file. Signs in, pages and filters the request list, opens a request, fires an event through the
generated form (first a server error shown next to its field, then the step that grows the
timeline), tampers a history row in the SQLite file and sees the break flagged, draws the
workflow's diagram and the statistics, switches to Arabic (mirrored layout) and to a phone's
width. Also checks the HTTP side: content-hashed assets cached for a year, the page revalidated,
ETag/304, the Content-Security-Policy, and that the page loaded nothing from another host.
Screenshots of each page go to WORK/screenshots.

Usage: console_browser_test.py --rogatory BIN --work DIR
Exit 77 (skipped) when chromium, chromedriver or selenium is missing.
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed (scripts/install-deps.sh)")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENS = {
    "ana": ("fr.pnf", "issuing_authority"),
    "eva": ("de.sta_berlin", "executing_authority"),
}
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)
    return cond


def token_of(actor):
    return "console-test-" + actor


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, rogatory, work):
        self.port = free_port()
        self.db = os.path.join(work, "console.db")
        self.base = "http://127.0.0.1:%d" % self.port
        lines = ["listen: 127.0.0.1:%d" % self.port, "store: sqlite://" + self.db,
                 "workflows: " + os.path.join(HERE, "workflows"),
                 "authorities:",
                 "  - {id: fr.pnf, name: Parquet national financier, country: FR}",
                 "  - {id: de.sta_berlin, name: Staatsanwaltschaft Berlin, country: DE}",
                 "auth:", "  tokens:"]
        for actor, (authority, role) in TOKENS.items():
            lines.append('    - {actor: %s, authority: %s, roles: [%s], sha256: "%s"}' % (
                actor, authority, role, hashlib.sha256(token_of(actor).encode()).hexdigest()))
        config = os.path.join(work, "rogatory.yaml")
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(work, "serve.log"), "w")
        self.proc = subprocess.Popen([rogatory, "serve", "--config", config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                if self.call("GET", "/v1/health", None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("rogatory serve did not start (see serve.log)")

    def call(self, method, path, actor, body=None, headers=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if actor:
            req.add_header("Authorization", "Bearer " + token_of(actor))
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def create(server, summary=None, n=0):
    data = {"summary": summary} if summary else {}
    status, _, body = server.call("POST", "/v1/requests", "ana", {
        "workflow": "console_demo", "data": data, "parties": {"executing": "de.sta_berlin"},
        "references": {"issuing": "PNF-2026-%04d" % (17 + n)}})
    assert status == 201, body
    return json.loads(body)["id"]


def check_http(server):
    """The assets' caching and security headers, over plain HTTP."""
    status, headers, body = server.call("GET", "/console/", None)
    page = body.decode()
    check(status == 200 and headers.get("Content-Type", "").startswith("text/html"), "GET /console/ is the page")
    check(headers.get("Cache-Control") == "no-cache", "the page is revalidated on every load")
    csp = headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
          and "default-src 'none'" in csp, "strict Content-Security-Policy: " + csp)
    check("<script>" not in page and "style=" not in page, "no inline script or style in the page")
    status, headers, _ = server.call("GET", "/console/", None, headers={"If-None-Match": headers.get("ETag", "")})
    check(status == 304, "the page answers 304 to its ETag")
    assets = [p.split('"')[0] for p in page.split('assets/')[1:]]
    check(len(assets) >= 6, "the page names its assets: %s" % assets)
    for name in assets:
        status, headers, body = server.call("GET", "/console/assets/" + name, None)
        digest = hashlib.sha256(body).hexdigest()
        check(status == 200 and digest[:12] in name, "asset %s is served under its content hash" % name)
        check(headers.get("Cache-Control") == "public, max-age=31536000, immutable",
              "asset %s is cached for a year" % name)
        check(headers.get("ETag") == '"%s"' % digest, "asset %s has its SHA-256 as ETag" % name)
    status, _, _ = server.call("GET", "/console/assets/app.000000000000.js", None)
    check(status == 404, "an unknown asset version is 404")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/console")
    r = conn.getresponse()
    check(r.status == 308 and r.getheader("Location") == "/console/", "/console redirects to /console/")
    conn.close()
    status, headers, body = server.call("GET", "/v1/workflows/console_demo/diagram.svg?version=1", "ana")
    check(status == 200 and headers.get("Content-Type") == "image/svg+xml" and b"<svg" in body,
          "GET /v1/workflows/{id}/diagram.svg draws the diagram")
    status, _, _ = server.call("GET", "/v1/workflows/console_demo/diagram.svg", None)
    check(status == 401, "the diagram needs a token")
    status, _, _ = server.call("GET", "/v1/workflows/console_demo/diagram.svg?version=9", "ana")
    check(status == 404, "an unknown version's diagram is 404")
    status, _, _ = server.call("GET", "/v1/workflows/console_demo/diagram.svg?colour=red", "ana")
    check(status == 400, "an unknown query parameter on the diagram is 400")


def make_driver():
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        print("SKIP: chromium or chromedriver is not installed (scripts/install-deps.sh)")
        sys.exit(77)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--lang=en-US", "--force-device-scale-factor=1"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=opts)


class Page:
    def __init__(self, driver, shots):
        self.d = driver
        self.shots = shots
        self.ready = 0

    def wait(self, cond, what, timeout=10):
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.05).until(lambda d: cond())
        except Exception:
            check(False, "timed out waiting for " + what)
            return None

    def settled(self, what):
        """Waits until the router finished rendering a view newer than the last one seen."""
        def done():
            r = self.d.execute_script("return document.body.dataset.ready || '0'")
            busy = self.d.execute_script("return document.getElementById('main').hasAttribute('aria-busy')")
            return int(r) > self.ready and not busy and int(r)
        n = self.wait(done, what)
        if n:
            self.ready = n

    def go(self, fragment, what):
        self.d.execute_script("location.hash = arguments[0]", fragment)
        self.settled(what)

    def css(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def shot(self, name):
        self.d.save_screenshot(os.path.join(self.shots, name + ".png"))


def browser_checks(server, driver, shots, ids, lapsed_id):
    p = Page(driver, shots)
    d = driver
    d.get(server.base + "/console/")
    token = p.wait(lambda: d.find_element(By.ID, "token"), "the sign-in form")
    check(d.switch_to.active_element.get_attribute("id") == "token", "the token field has the focus")
    check(not d.find_element(By.ID, "nav").is_displayed() and not d.find_element(By.ID, "signout").is_displayed(),
          "before sign-in there is no navigation and no sign-out")
    d.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    focused = d.switch_to.active_element
    check(focused.get_attribute("id") == "lang", "Shift+Tab reaches the language choice")
    focused.send_keys(Keys.SHIFT, Keys.TAB)
    check("skip" in (d.switch_to.active_element.get_attribute("class") or ""),
          "the first stop is the skip link: %r" % d.switch_to.active_element.get_attribute("outerHTML")[:80])
    token.click()
    p.shot("01-sign-in")
    token.send_keys("not-a-token", Keys.ENTER)
    p.wait(lambda: d.find_element(By.ID, "signin-error").text, "the bad-token message")
    check("not valid" in d.find_element(By.ID, "signin-error").text, "a wrong token is refused on the page")
    token.clear()
    token.send_keys(token_of("ana"), Keys.ENTER)  # the keyboard alone signs in
    p.settled("the request list")
    check(d.execute_script("return sessionStorage.getItem('rogatory.token')") == token_of("ana"),
          "the token is kept in sessionStorage")
    check(d.execute_script("return localStorage.getItem('rogatory.token')") is None,
          "the token is not in localStorage")
    rows = p.css("#request-table tbody tr")
    check(len(rows) == len(ids), "the list shows all %d requests (%d)" % (len(ids), len(rows)))
    lapsed_row = p.css('#request-table tr[data-id="%s"] .mark.lapsed' % lapsed_id)
    check(len(lapsed_row) == 1, "the lapsed request carries the lapsed mark")
    p.shot("02-requests")

    # Cursor paging through the list API's `next`.
    Select(d.find_element(By.ID, "f-limit")).select_by_value("10")
    d.find_element(By.ID, "f-apply").click()
    p.settled("page 1 of 10")
    check(len(p.css("#request-table tbody tr")) == 10, "limit 10 shows 10 rows")
    d.find_element(By.ID, "page-next").click()
    p.settled("page 2")
    second = [r.get_attribute("data-id") for r in p.css("#request-table tbody tr")]
    check(len(second) == len(ids) - 10 and second == sorted(ids)[10:], "the next page holds the rest, in id order")
    d.find_element(By.ID, "page-prev").click()
    p.settled("back to page 1")
    check([r.get_attribute("data-id") for r in p.css("#request-table tbody tr")] == sorted(ids)[:10],
          "previous goes back to the first page")

    # Filters: overdue only, then a state.
    d.find_element(By.ID, "f-overdue").click()
    d.find_element(By.ID, "f-apply").click()
    p.settled("the overdue filter")
    rows = [r.get_attribute("data-id") for r in p.css("#request-table tbody tr")]
    check(rows == [lapsed_id], "overdue only lists exactly the lapsed request")
    check("overdue=true" in d.current_url, "the filter is in the address (bookmarkable)")
    p.shot("03-requests-overdue")
    p.go("#/requests?workflow=console_demo", "the workflow filter")
    Select(d.find_element(By.ID, "f-state")).select_by_value("sent")
    d.find_element(By.ID, "f-apply").click()
    p.settled("the state filter")
    rows = [r.get_attribute("data-id") for r in p.css("#request-table tbody tr")]
    check(rows == [lapsed_id], "state=sent lists the one sent request")

    # A request's page: state, parties, no clock yet, a one-entry verified history.
    target = ids[0]
    p.go("#/requests?workflow=console_demo&state=draft", "the drafts")
    d.find_element(By.CSS_SELECTOR, '#request-table a[href="#/requests/%s"]' % target).click()
    p.settled("the request page")
    check(d.find_element(By.ID, "request-state").get_attribute("data-state") == "draft", "the page shows the state")
    parties = d.find_element(By.ID, "parties").text
    check("fr.pnf" in parties and "de.sta_berlin" in parties, "the page shows the parties")
    check("PNF-2026-0017" in d.find_element(By.ID, "references").text, "the page shows the references")
    check(len(p.css("#timeline li")) == 1, "the timeline starts with one entry")
    check(d.find_element(By.ID, "chain-status").get_attribute("data-ok") == "true", "the chain verifies in the browser")

    # Fire `transmit` through its form: a missing required field first (the server's error
    # next to the field), then the real step.
    form = d.find_element(By.CSS_SELECTOR, 'form[data-event="transmit"]')
    check(len(form.find_elements(By.CSS_SELECTOR, "#field-channel option")) == 4,
          "the enum field is a choice of its values (and unset)")
    check(form.find_element(By.ID, "field-channel").get_attribute("aria-required") == "true",
          "required fields are marked")
    Select(form.find_element(By.ID, "field-channel")).select_by_value("e_codex")
    form.find_element(By.ID, "field-summary").clear()
    form.find_element(By.CSS_SELECTOR, "button.fire").click()
    err = p.wait(lambda: d.find_element(By.ID, "field-summary-error").text, "the server's error by the field")
    check(bool(err) and "summary" in err, "the server's error is shown next to its field: %r" % err)
    check(d.find_element(By.ID, "field-summary").get_attribute("aria-invalid") == "true", "the field is marked invalid")
    p.shot("04-request-error")
    # Non-ASCII text: the browser's canonical form must count UTF-8 bytes as the server does.
    form.find_element(By.ID, "field-summary").send_keys("Relevés bancaires — compte nº 42")
    form.find_element(By.CSS_SELECTOR, "textarea[name=comment]").send_keys("عاجل: مصرف «Ω»")
    form.find_element(By.CSS_SELECTOR, "button.fire").click()
    p.wait(lambda: len(p.css("#timeline li")) == 2, "the timeline to grow")
    p.settled("the request after transmit")
    check(len(p.css("#timeline li")) == 2, "the timeline grew to two entries")
    check(d.find_element(By.ID, "request-state").get_attribute("data-state") == "sent", "the state moved to sent")
    check(len(p.css('#clocks tr[data-clock="answer_3s"]')) == 1, "the started clock is listed with its due time")
    check(d.find_element(By.ID, "chain-status").get_attribute("data-ok") == "true", "the grown chain verifies")
    p.shot("05-request")

    # Tamper with the first history row in the SQLite file: the browser flags the break.
    with sqlite3.connect(server.db, timeout=10) as db:
        n = db.execute("UPDATE history SET comment = 'rewritten later' WHERE request_id = ? AND seq = 1",
                       (target,)).rowcount
    check(n == 1, "one history row tampered in the SQLite file")
    d.refresh()
    p.ready = 0
    p.settled("the tampered request")
    status = d.find_element(By.ID, "chain-status")
    check(status.get_attribute("data-ok") == "false" and status.get_attribute("data-break") == "1",
          "the broken chain is flagged at entry 1: %r" % status.text)
    check(p.css('#timeline li[data-seq="1"]')[0].get_attribute("data-status") == "tampered",
          "entry 1 is marked tampered")
    check(p.css('#timeline li[data-seq="2"]')[0].get_attribute("data-status") == "unverified",
          "the entry after the break is not trusted")
    p.shot("06-request-tampered")

    # The workflow and its diagram.
    p.go("#/workflows/console_demo?version=1", "the workflow page")
    p.wait(lambda: p.css("#diagram svg"), "the diagram")
    check(len(p.css("#diagram svg g.node")) >= 6, "the diagram draws the states")
    p.shot("07-workflow")

    # Statistics (GET /v1/stats, issue 15 point 1).
    p.go("#/stats", "the statistics")
    stats_status = server.call("GET", "/v1/stats", "ana")[0]
    if stats_status == 200:
        bars = p.css('section[data-workflow="console_demo"] [data-chart="by_state"] .row')
        check(len(bars) >= 2, "the by-state chart has a bar per state")
        check(len(p.css('section[data-workflow="console_demo"] svg.meter rect')) > 0, "the charts are drawn in SVG")
        total = p.css('section[data-workflow="console_demo"] .figure.total .n')
        check(bool(total) and total[0].text == "12", "the total counts the 12 requests")
        channel = p.css('section[data-workflow="console_demo"] [data-chart="breakdown-channel"] .row')
        counts = {r.find_element(By.CSS_SELECTOR, ".key").text: r.find_element(By.CSS_SELECTOR, ".num").text
                  for r in channel}
        check(counts.get("direct") == "1" and counts.get("e_codex") == "1",
              "the workflow's stats: field (channel) is broken down by value: %s" % counts)
        width = p.css('[data-chart="by_state"] .row svg rect')
        widths = sorted(float(r.get_attribute("width")) for r in width)
        check(widths[0] == 0 and widths[-1] == 100, "bars scale from 0 to the largest count: %s" % widths)
    else:
        print("note: this build has no GET /v1/stats (%d); the stats charts are checked once it is merged" % stats_status)
        check(len(p.css("main .message")) == 1, "the statistics page says they are not available")
    p.shot("08-stats")

    # Arabic: right to left, mirrored.
    p.go("#/requests/" + lapsed_id, "the lapsed request")
    width = d.execute_script("return window.innerWidth")
    brand_ltr = d.find_element(By.ID, "brand").rect["x"]
    Select(d.find_element(By.ID, "lang")).select_by_value("ar")
    p.settled("the Arabic page")
    check(d.execute_script("return document.documentElement.dir") == "rtl", "Arabic sets dir=rtl")
    check(d.execute_script("return document.documentElement.lang") == "ar", "Arabic sets lang=ar")
    brand_rtl = d.find_element(By.ID, "brand").rect
    check(brand_ltr < width / 2 < brand_rtl["x"], "the header is mirrored (brand at %s, then %s)" % (brand_ltr, brand_rtl["x"]))
    check(d.find_element(By.ID, "clocks-h").text == "المهل", "the page speaks Arabic")
    # The workflow's own labels in Arabic: state, title, field, enum value, event.
    check(d.find_element(By.ID, "request-state").text == "مُحالة", "the state's Arabic label is shown")
    check("طلب تجريبي" in d.find_element(By.CSS_SELECTOR, ".request-head").text, "the title's Arabic label is shown")
    data_text = d.find_element(By.CSS_SELECTOR, "#parties ~ dl.data:last-of-type").text
    check("الموضوع" in data_text and "مباشرة" in data_text,
          "field and enum value labels are shown in Arabic: %r" % data_text)
    check("سحب" in d.find_element(By.CSS_SELECTOR, 'form[data-event="withdraw"] h3').text,
          "the event's Arabic label is shown")
    cols = d.find_elements(By.CSS_SELECTOR, ".request-grid > .col")
    check(cols[0].rect["x"] > cols[1].rect["x"], "the two columns swap sides")
    p.shot("09-request-ar")
    p.go("#/requests", "the Arabic list")
    heads = p.css("#request-table th")
    check(heads[0].rect["x"] > heads[-1].rect["x"], "the table's first column is on the right")
    check(any("\u0660" <= ch <= "\u0669" or ch.isdigit() for ch in d.find_element(By.ID, "request-table").text),
          "dates are written with Intl in Arabic")
    p.shot("10-requests-ar")
    Select(d.find_element(By.ID, "lang")).select_by_value("fr")
    p.settled("the French list")
    check(d.execute_script("return document.documentElement.dir") == "ltr" and
          d.find_element(By.ID, "nav-requests").text == "Demandes", "French is left to right")
    check({c.text for c in p.css('#request-table td[data-state="draft"]')} == {"Brouillon"},
          "the list shows the states' French labels")
    p.go("#/workflows/console_demo?version=1", "the French workflow page")
    names = [e.text for e in p.css("main ul.plain strong")]
    check("Brouillon" in names and "executing" in names and "Transmettre" in names,
          "labelled names in French, the id where there is no label: %s" % names)
    check(d.find_element(By.CSS_SELECTOR, "main h1").text == "Demande de démonstration", "the French title")
    Select(d.find_element(By.ID, "lang")).select_by_value("en")
    p.settled("back to English")

    # A phone's width: one column, nothing wider than the screen.
    d.set_window_size(375, 800)
    p.go("#/requests/" + target, "the request on a phone")
    inner = d.execute_script("return window.innerWidth")
    scroll = d.execute_script("return document.documentElement.scrollWidth")
    check(scroll <= inner, "nothing is wider than a 375 px screen (%d <= %d)" % (scroll, inner))
    cols = d.find_elements(By.CSS_SELECTOR, ".request-grid > .col")
    check(cols[1].rect["y"] > cols[0].rect["y"] and abs(cols[0].rect["x"] - cols[1].rect["x"]) < 2,
          "the columns stack on a phone")
    p.shot("11-request-phone")
    p.go("#/requests", "the list on a phone")
    p.shot("12-requests-phone")
    d.set_window_size(1280, 900)

    # Nothing from other hosts, and no policy violation in the console.
    hosts = d.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)")
    check(all(h == "127.0.0.1:%d" % server.port for h in hosts), "every resource came from the server itself")
    logs = [e["message"] for e in d.get_log("browser")]
    violations = [m for m in logs if "Content Security Policy" in m or "Refused" in m]
    check(not violations, "no Content-Security-Policy violation: %s" % violations[:3])
    errors = [m for m in logs if e_is_js_error(m)]
    check(not errors, "no script error in the browser: %s" % errors[:3])


def e_is_js_error(message):
    # 4xx answers the test provoked on purpose are logged by chromium as failed loads.
    return "Uncaught" in message or "TypeError" in message or "ReferenceError" in message


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rogatory", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    shots = os.path.join(args.work, "screenshots")
    os.makedirs(shots)
    started = time.monotonic()
    server = Server(os.path.abspath(args.rogatory), args.work)
    driver = None
    try:
        ids = [create(server, n=i) for i in range(11)]
        lapsed_id = create(server, "Hearing of a witness", 11)
        ids.append(lapsed_id)
        status, _, body = server.call("POST", "/v1/requests/%s/events" % lapsed_id, "ana",
                                      {"event": "transmit", "data": {"channel": "direct"}})
        check(status == 200, "setup: transmit one request (its 3 s clock starts) %s" % body[:200])
        check_http(server)
        driver = make_driver()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # the scheduler records the lapse within a second
            _, _, body = server.call("GET", "/v1/requests/" + lapsed_id, "ana")
            if any(x.get("lapsed") for x in json.loads(body)["deadlines"]):
                break
            time.sleep(0.2)
        browser_checks(server, driver, shots, ids, lapsed_id)
    finally:
        if driver:
            driver.quit()
        server.stop()
    print("%d checks failed; %.1f s; screenshots in %s" % (len(FAILURES), time.monotonic() - started, shots))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
