"""`hipscreen app`: start the Streamlit app on this computer only (127.0.0.1), headless, with no
usage statistics and no error details shown to users, from whatever directory it is run in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENTRY = Path(__file__).with_name("main.py")

# The same privacy settings as .streamlit/config.toml, given on the command line because
# Streamlit only reads ./.streamlit/config.toml from the directory it is started in.
PRIVACY_OPTIONS: dict[str, str] = {
    "server.address": "127.0.0.1",
    "server.headless": "true",
    "server.maxUploadSize": "1",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "browser.serverAddress": "127.0.0.1",
    "browser.gatherUsageStats": "false",
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
    "global.developmentMode": "false",
}


def streamlit_command(port: int) -> list[str]:
    """The command that runs the app: this Python's streamlit with every privacy option."""
    command = [sys.executable, "-m", "streamlit", "run", str(ENTRY), "--server.port", str(port)]
    for option, value in PRIVACY_OPTIONS.items():
        command += [f"--{option}", value]
    return command


def run(port: int) -> int:
    """Start the app; on POSIX the process becomes the Streamlit server (so stopping this process
    stops the server), elsewhere it waits for the server and returns its exit code."""
    command = streamlit_command(port)
    print(f"hipscreen: the app runs at http://127.0.0.1:{port} (only this computer can "
          "reach it). Stop it with Ctrl+C.", flush=True)
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)
