"""A throwaway PostgreSQL cluster in a temporary directory, for the tests and the benchmark.

`throwaway_postgres()` runs `initdb` and `pg_ctl` from the machine's PostgreSQL (found on PATH,
by `pg_config --bindir`, or in Debian's /usr/lib/postgresql/*/bin), listens on 127.0.0.1 on a
free port with a password, and removes everything when the block ends. PostgreSQL refuses to run
as root, so when the caller is root the cluster runs as the unprivileged user `nobody` (via
`runuser`), in a directory handed to that user.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "hipscreen"


class NoPostgres(RuntimeError):
    """No PostgreSQL server binaries on this machine (the message says what to install)."""


def postgres_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and (Path(out) / "initdb").exists():
            return Path(out)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    debian = sorted((p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
                    key=version)
    return debian[-1] if debian else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_postgres(*, fsync: bool = False) -> Iterator[str]:
    """Start a fresh cluster; yield a postgresql:// URL (with a password) for its `postgres`
    database; stop it and delete its directory afterwards. `fsync=False` (the default) trades
    crash safety for speed, which a throwaway cluster does not need."""
    bindir = postgres_bindir()
    if bindir is None:
        raise NoPostgres("no PostgreSQL server binaries (initdb, pg_ctl) found on PATH, by "
                         "pg_config, or in /usr/lib/postgresql/*/bin; install Debian's "
                         "'postgresql' package")
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="hipscreen-pg-")
    owner = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise NoPostgres("running as root without `runuser` to start PostgreSQL as another user")
        owner = pwd.getpwnam(UNPRIVILEGED_USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", UNPRIVILEGED_USER, "--"]
    data, log, pwfile = Path(root) / "data", Path(root) / "server.log", Path(root) / "pw"
    password = secrets.token_hex(12)
    pwfile.write_text(password + "\n")
    if owner is not None:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    os.chmod(pwfile, 0o600)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120,
                              env=env, cwd=root, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-2000:]
            if log.exists():
                tail += "\n" + log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{Path(command[0]).name} failed: {tail}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale")
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=50 "
                   f"-c fsync={'on' if fsync else 'off'} -c synchronous_commit={'on' if fsync else 'off'} "
                   "-c full_page_writes=off")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", options, "start")
        try:
            yield f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60, env=env, cwd=root,
                           check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """Create database `name` on the cluster of `url`; return its URL."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    base = make_url(url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)
