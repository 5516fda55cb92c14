"""`hipscreen app`: start the Streamlit app on this computer only (127.0.0.1), headless, with no
usage statistics and no error details shown to users, from whatever directory it is run in.

It makes a random one-time sign-in token, gives it to the Streamlit process in an environment
variable (never on the command line, which other users of the computer can read) and prints the
address with it: the browser that opens that address may see records (app/access.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ENTRY = Path(__file__).with_name("main.py")
TOKEN_ENV = "HIPSCREEN_SIGNIN_TOKEN"
"""The environment variable that hands the sign-in token to the Streamlit process."""
TOKEN_PARAM = "token"

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


# Streamlit's own "You can now view your Streamlit app" banner would print a second address,
# without the sign-in token: the address to open is the one `run` prints.
LAUNCH_OPTIONS: dict[str, str] = {"logger.hideWelcomeMessage": "true"}


def streamlit_command(port: int) -> list[str]:
    """The command that runs the app: this Python's streamlit with every privacy option (and
    never the sign-in token: other users of the computer can read a command line)."""
    command = [sys.executable, "-m", "streamlit", "run", str(ENTRY), "--server.port", str(port)]
    for option, value in (PRIVACY_OPTIONS | LAUNCH_OPTIONS).items():
        command += [f"--{option}", value]
    return command


def sign_in_address(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/?{TOKEN_PARAM}={token}"


def run(port: int) -> int:
    """Start the app with a new sign-in token; on POSIX the process becomes the Streamlit server
    (so stopping this process stops the server), elsewhere it waits for the server and returns
    its exit code."""
    command = streamlit_command(port)
    token = secrets.token_urlsafe(32)
    os.environ[TOKEN_ENV] = token
    print(f"hipscreen: the app runs at http://127.0.0.1:{port} (only this computer can reach "
          "it). Open this address to use it and to see records (it signs in one browser, once, "
          f"until the app stops):\n\n    {sign_in_address(port, token)}\n\n"
          "Stop it with Ctrl+C.", flush=True)
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)
