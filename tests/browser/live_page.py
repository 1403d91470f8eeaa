#!/usr/bin/env python3
"""Drives the big-screen page /live/{track} in headless Chromium (Debian's chromium and
chromium-driver, through Selenium): the figures on the page change after a pledge is approved,
the goal's progress bar and the ticker of the latest pledges follow, a round figure crossed is
celebrated, a private screen link shows the pending figures, the page keeps changing after
the server restarts, and a pledge approved to be revealed later moves the hall's figures only
when it is revealed. Run by .ci/run after the Rust tests:

    python3 tests/browser/live_page.py target/debug/pledgeboard
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/debug/pledgeboard"
PASSWORD = "a browser test passphrase"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
DATA = tempfile.mkdtemp()
ENV = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMTP_URL")}


def start():
    server = subprocess.Popen(
        [BINARY, "serve", "--bind", f"127.0.0.1:{PORT}", "--data-dir", DATA, "--mail-poll-ms", "50"],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{BASE}/readyz", timeout=1)
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def call(method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(f"{BASE}/api/v1{path}", method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data=data, timeout=10) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def login(email):
    return call("POST", "/auth/login", {"email": email, "password": PASSWORD})["access_token"]


def emailed_token(address):
    for _ in range(200):
        for path in glob.glob(os.path.join(DATA, "mail", "*.eml")):
            text = open(path).read().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
            if address in text:
                return re.search(r"token=([A-Za-z0-9_-]+)", text).group(1)
        time.sleep(0.05)
    raise SystemExit(f"no email to {address}")


def submitted_pledge(owner, title):
    pledge = call("POST", "/pledges", {
        "title": title, "summary": "Shown on the big screen during the event",
        "description": "Browser test pledge.", "type": "financial", "focus_areas": ["access"],
        "sdgs": [9], "tracks": ["ldc5"], "countries": ["NPL"],
        "value": {"currency": "USD", "amount_minor": 250000000000, "usd": 2500000000},
        "deliverables": [{"what": "Connect rural schools", "indicator": "Schools connected",
                          "unit": "schools", "target": 100, "due_date": "2030-12-31"}],
    }, owner)
    return call("POST", f"/pledges/{pledge['id']}/submit", {}, owner)


def approve(moderator, pledge):
    call("POST", f"/pledges/{pledge['id']}/approve", {}, moderator, {"If-Match": f"\"{pledge['version']}\""})


def create_staff(role, email):
    subprocess.run([BINARY, "create-staff", "--role", role, "--email", email, "--name", role.title(),
                    "--data-dir", DATA], input=PASSWORD + "\n", text=True, check=True, env=ENV,
                   stdout=subprocess.DEVNULL)


def main():
    server = start()
    create_staff("moderator", "mod@example.org")
    create_staff("organiser", "events@example.org")
    created = call("POST", "/auth/register", {"email": "owner@example.org", "password": PASSWORD,
                                              "display_name": "Owner", "organisation": {
                                                  "name": "Ministry of ICT", "kind": "government", "country": "NPL"}})
    call("POST", "/auth/verify-email", {"token": emailed_token("owner@example.org")})
    owner, moderator = login("owner@example.org"), login("mod@example.org")
    organiser = login("events@example.org")
    call("POST", f"/organisations/{created['organisation']['id']}/verify", None, moderator)
    # The hall's goal: USD 10 bn (shown as the bar) and 50 commitments.
    call("PUT", "/goals?track=ldc5", {"goals": [
        {"kind": "pledges", "target": 50, "deadline": "2030-12-31"},
        {"kind": "usd_pledged", "target": 10000000000, "deadline": "2030-12-31"},
    ]}, organiser)
    private_url = call("POST", "/screen-links", {"track": "ldc5", "label": "Plenary hall"}, organiser)["url"]

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1920,1080", f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{BASE}/live/ldc5")
        wait = WebDriverWait(driver, 15)
        figure = lambda: driver.find_element(By.ID, "pledges").text
        wait.until(lambda d: figure() == "0")
        assert "LDC5" in driver.find_element(By.ID, "title").text
        goal = driver.find_element(By.ID, "goal")
        wait.until(lambda d: goal.is_displayed() and goal.get_attribute("data-percent") == "0")
        # Figures are formatted by the browser's locale data: English compact dollars.
        assert "$10.00B" in driver.find_element(By.ID, "goal-text").text, driver.find_element(By.ID, "goal-text").text
        qr = driver.find_element(By.CSS_SELECTOR, "#qr svg")
        assert qr.is_displayed() and qr.size["width"] > 100, qr.size
        assert driver.find_element(By.ID, "catalogue").text.endswith("/api/v1/pledges?track=ldc5")
        assert not driver.find_element(By.ID, "pending").is_displayed()

        approve(moderator, submitted_pledge(owner, "First pledge on the big screen"))
        wait.until(lambda d: figure() == "1")
        assert driver.find_element(By.ID, "usd_pledged").text == "$2.50B", driver.find_element(By.ID, "usd_pledged").text
        # The bar follows the goal: USD 2.5 bn of 10 bn.
        wait.until(lambda d: goal.get_attribute("data-percent") == "25")
        assert driver.find_element(By.ID, "goal-percent").text == "25%"
        bar = driver.find_element(By.CSS_SELECTOR, "#goal .bar").size["width"]
        fill = lambda: driver.find_element(By.ID, "goal-fill").size["width"] / bar
        wait.until(lambda d: 0.23 < fill() < 0.27)  # once its transition has run
        # The ticker shows the pledge just published, with its organisation, country and figure.
        ticker = lambda: driver.find_element(By.ID, "ticker").text
        wait.until(lambda d: "Ministry of ICT" in ticker())
        assert "NPL" in ticker() and "$2.50B" in ticker(), ticker()
        # USD 1 bn and 2 bn were crossed: the hall celebrates.
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-celebrations") == "1")
        assert driver.find_element(By.ID, "celebration").is_displayed()
        print("page updated after the first approval: figures, goal bar, ticker, celebration")

        # The private screen link shows what awaits a decision; the public page does not.
        waiting = submitted_pledge(owner, "Waiting for the moderator")
        driver.get(private_url)
        wait.until(lambda d: d.find_element(By.ID, "pending_pledges").text == "1")
        assert driver.find_element(By.ID, "pending").is_displayed()
        assert driver.find_element(By.ID, "private").is_displayed()
        print("private screen link shows the pending figures")
        approve(moderator, waiting)
        wait.until(lambda d: figure() == "2")
        wait.until(lambda d: d.find_element(By.ID, "pending_pledges").text == "0")
        assert "Waiting for the moderator" not in ticker()  # financial pledges show their figure
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ticker li")) == 2)
        driver.get(f"{BASE}/live/ldc5")
        wait.until(lambda d: figure() == "2")

        # In Arabic the page runs right to left and every figure follows the Arabic locale.
        driver.get(f"{BASE}/live/ldc5?lang=ar")
        arabic = driver.execute_script(
            "return [new Intl.NumberFormat('ar').format(2),"
            " new Intl.NumberFormat('ar', {style: 'currency', currency: 'USD', notation: 'compact',"
            " minimumFractionDigits: 2, maximumFractionDigits: 2}).format(5e9),"
            " new Intl.NumberFormat('ar', {style: 'percent', maximumFractionDigits: 0}).format(0.5)]")
        # Selenium's text drops the bidi marks and turns no-break spaces into spaces.
        arabic = [" ".join(a.replace("\u200f", "").replace("\u200e", "").split()) for a in arabic]
        wait.until(lambda d: figure() == arabic[0])
        assert driver.execute_script("return document.documentElement.dir") == "rtl"
        assert driver.execute_script("return getComputedStyle(document.body).direction") == "rtl"
        assert driver.find_element(By.ID, "usd_pledged").text == arabic[1], (driver.find_element(By.ID, "usd_pledged").text, arabic)
        assert driver.find_element(By.ID, "goal-percent").text == arabic[2], arabic
        assert arabic[0] != "2" or arabic[1] != "$5.00B", arabic  # not the English formatting
        labels = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".figure .label")]
        assert labels[0] == "تعهدات", labels
        assert "الهدف" in driver.find_element(By.ID, "goal-text").text, driver.find_element(By.ID, "goal-text").text
        assert driver.find_element(By.ID, "status").text == "مباشر"
        print("Arabic page: right to left, figures", arabic)
        driver.get(f"{BASE}/live/ldc5")
        wait.until(lambda d: figure() == "2")

        # The server restarts; the page reconnects by itself and keeps counting.
        server.terminate()
        server.wait(timeout=30)
        pending = None
        server = start()
        pending = submitted_pledge(owner, "Third pledge after a restart")
        approve(moderator, pending)
        wait.until(lambda d: figure() == "3")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ticker li")) == 3)
        print("page updated after a server restart")

        # Approved to be revealed from the podium: the private screen counts it as scheduled,
        # the hall's figures wait, and an organiser's reveal moves them.
        podium = submitted_pledge(owner, "Announced from the podium")
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        scheduled = call("POST", f"/pledges/{podium['id']}/approve", {"reveal_at": later}, moderator,
                         {"If-Match": f"\"{podium['version']}\""})
        assert scheduled["status"] == "scheduled", scheduled
        driver.get(private_url)
        wait.until(lambda d: d.find_element(By.ID, "pending_scheduled").text == "1")
        assert figure() == "3"
        call("POST", f"/pledges/{podium['id']}/reveal", {}, organiser, {"If-Match": f"\"{scheduled['version']}\""})
        wait.until(lambda d: figure() == "4")
        wait.until(lambda d: d.find_element(By.ID, "pending_scheduled").text == "0")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ticker li")) == 4)
        print("a scheduled pledge shows on the private screen only, until it is revealed")
        driver.save_screenshot(os.path.join(tempfile.gettempdir(), "pledgeboard-live.png"))
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(DATA, ignore_errors=True)
    print("big-screen page: ok")


if __name__ == "__main__":
    main()
