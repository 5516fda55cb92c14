"""The real app for browser tests: `hipscreen app` on a free localhost port, and the system
chromium that Playwright drives (never a downloaded browser)."""

import contextlib
import os
import re
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

NEEDS_CHROMIUM = pytest.mark.skipif(
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


SIGN_IN_ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+")


def sign_in_address(server_log: Path) -> str:
    """The address `hipscreen app` printed, with its one-time token."""
    found = SIGN_IN_ADDRESS.findall(server_log.read_text())
    assert len(found) == 1, f"one sign-in address expected in the output, got {found}"
    return found[0]


@contextlib.contextmanager
def running_app(folder: Path, env: dict[str, str] | None = None):
    """`hipscreen app --port P`, started from an unrelated directory (so only the launcher's own
    options apply) with `env` added to the environment, stopped afterwards whatever happens."""
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen([*hipscreen_command(), "app", "--port", str(port)], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}: "
                            f"{(folder / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.2)
        yield url, folder / "server.log"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()
