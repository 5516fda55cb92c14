"""A real browser against a real server: `hipscreen app` started headless on a free localhost
port, driven by Playwright with the system chromium (never a downloaded browser)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STARTUP_SECONDS = 40
STEP_TIMEOUT_MS = 20_000  # one rerun of a step; generous so a busy machine does not fail it
SUBMIT_TO_RESULT_LIMIT = 15.0  # seconds; generous for a slow CI machine

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs the system browser /usr/bin/chromium (Debian package 'chromium'); "
           "the test never downloads one")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hipscreen_command() -> list[str]:
    """`hipscreen` from this environment, or the same CLI through this Python."""
    script = Path(sys.executable).with_name("hipscreen")
    if script.exists():
        return [str(script)]
    found = shutil.which("hipscreen")
    return [found] if found else [sys.executable, "-m", "hipscreen.cli"]


@pytest.fixture
def server(tmp_path):
    """`hipscreen app --port P`, started from an unrelated directory (so only the launcher's own
    options apply), stopped in teardown whatever happens."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([*hipscreen_command(), "app", "--port", str(port)], cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}: "
                            f"{(tmp_path / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.2)
        yield url, tmp_path / "server.log"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def wait_until_idle(page) -> None:
    """Wait for the script run to finish (Streamlit marks its root element), so the next click
    lands on this step's widgets and not on the last step's fading ones."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main container, so grow the window to the content first."""
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight, ...['stMain', 'stAppViewContainer']
             .map(id => document.querySelector(`[data-testid="${id}"]`))
             .filter(Boolean).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": 1280, "height": int(height) + 40})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_self_screen_in_a_real_browser_ends_in_a_plan_and_its_explanation(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, server_log = server
    out = tmp_path / "screenshots"
    out.mkdir()
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page.goto(url)
            expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
            expect(page.get_by_text("screening aid, not a diagnosis")).to_be_visible()
            age = page.get_by_role("spinbutton", name="Your age in years")
            wait_until_idle(page)
            age.fill("34")
            age.press("Enter")
            expect(page.get_by_role("button", name="Next")).to_be_visible()
            wait_until_idle(page)
            full_page_screenshot(page, out / "1-safety.png")

            def next_step(heading: str, button: str = "Next") -> None:
                page.get_by_role("button", name=button).click()
                expect(page.get_by_role("heading", name=heading)).to_be_visible()
                wait_until_idle(page)

            next_step("More health questions")
            next_step("About you")
            next_step("Your symptoms")
            page.get_by_text("Low back, right", exact=True).click()
            page.get_by_text("The pain keeps coming back", exact=True).click()
            expect(page.get_by_text("Body map: Low back, right")).to_be_visible()
            full_page_screenshot(page, out / "2-symptoms.png")
            next_step("Self-test: Single-leg balance: 30 seconds on each leg")
            page.get_by_role("radiogroup", name="On which leg could you NOT hold 30 seconds?") \
                .get_by_text("Right", exact=True).click()
            next_step("Self-test: A squat in front of a mirror")
            page.get_by_role("radiogroup", name="Which way did your hips drift?") \
                .get_by_text("Right", exact=True).click()
            next_step("Self-test: A hip hinge with a broom handle along your back")
            for heading in ("Self-test: Seated hip rotation, comparing sides",
                            "Self-test: Knee to chest, and does a hip feel stuck?",
                            "Check your answers"):
                next_step(heading, button="Skip this test")
            expect(page.get_by_text("Cannot hold 30 s standing on that leg: Right")).to_be_visible()
            expect(page.get_by_text("Hips drift to that side in a squat or hinge: Right")) \
                .to_be_visible()

            start = time.perf_counter()
            page.get_by_role("button", name="See my result").click()
            expect(page.get_by_role("heading", name="Your plan")).to_be_visible(timeout=30000)
            expect(page.locator("[data-testid='stGraphVizChart'] svg")).to_be_visible(
                timeout=30000)
            seconds = time.perf_counter() - start

            expect(page.get_by_text("Triage level: SELF-CARE")).to_be_visible()
            expect(page.get_by_role("heading", name="How we got here")).to_be_visible()
            graph = page.locator("[data-testid='stGraphVizChart'] svg")
            expect(graph).to_contain_text("Your answers")
            expect(graph).to_contain_text("Hip stability")
            expect(page.get_by_role("heading", name="Tests you skipped")).to_be_visible()
            cards = page.get_by_role("heading", name="Single-leg stability")
            expect(cards.first).to_be_visible()
            page.get_by_text("Deficit: Hip stability", exact=True).click()
            expect(page.get_by_text("evidence_combines_into_deficits").first).to_be_visible()
            for label in ("Report (Markdown)", "Result (JSON)", "Intake as a case file (YAML)",
                          "Clinician report (PDF)", "Plan for the person (PDF)"):
                expect(page.get_by_role("button", name=label)).to_be_visible()
            with page.expect_download() as download:
                page.get_by_role("button", name="Plan for the person (PDF)").click()
            pdf = download.value.path().read_bytes()
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
            shot = out / "3-result.png"
            full_page_screenshot(page, shot)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            page.get_by_role("button", name="Plan for the person (PDF)").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "4-downloads-phone.png"))
        except Exception:
            page.screenshot(path=str(out / "failure.png"))
            print(f"\nfailure screenshot: {out / 'failure.png'}\nserver log:\n"
                  f"{server_log.read_text()}")
            raise
        finally:
            browser.close()

    (out / "timing.json").write_text(json.dumps({"submit_to_result_seconds": seconds}))
    print(f"\nsubmit -> result: {seconds:.2f} s; screenshots: {out}")
    assert shot.stat().st_size > 50_000
    assert seconds < SUBMIT_TO_RESULT_LIMIT
    assert "127.0.0.1" in server_log.read_text()
