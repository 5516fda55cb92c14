"""Start-up time of `hipscreen screen FILE` as a whole process (issue 13, "Speed": <= 0.35 s).

Runs the venv's own `hipscreen` script (the one next to sys.executable) N times (default 20) on
tests/data/full_intake.yaml, each a fresh process with its output thrown away, and prints the
median, min, p95 and max wall seconds against the target; then, for the record, the slowest
imports of one run under `python -X importtime` (which inflates every figure, so read them as
proportions).

Python reads a module's source and compiles it on every import unless a compiled copy
(__pycache__/*.pyc) exists, and PYTHONDONTWRITEBYTECODE=1 stops it from keeping one. In a
venv that uv made without `--compile-bytecode` and with that variable set, every run compiles
pydantic, yaml, experta and the rest again: the first line of the output says which case this
is. `--cached-bytecode` measures a second series with the compiled copies kept in a temporary
folder (PYTHONPYCACHEPREFIX), as a venv made with `uv sync --compile-bytecode`, or any venv
without PYTHONDONTWRITEBYTECODE after its first run, behaves.

    uv run python benchmarks/startup.py
    uv run python benchmarks/startup.py --runs 50 --top 25 --cached-bytecode
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTAKE = ROOT / "tests" / "data" / "full_intake.yaml"
TARGET_SECONDS = 0.35


def script() -> Path:
    """The `hipscreen` console script of the Python running this benchmark."""
    path = Path(sys.executable).with_name("hipscreen.exe" if os.name == "nt" else "hipscreen")
    if not path.exists():
        raise SystemExit(f"no hipscreen script next to {sys.executable}; run `uv sync` first")
    return path


def bytecode_state(env: dict[str, str]) -> str:
    """Whether the processes measured compile their imports each time."""
    import pydantic

    cached = Path(importlib.util.cache_from_source(pydantic.__file__)).exists()
    prefix = env.get("PYTHONPYCACHEPREFIX")
    if prefix:
        return f"compiled bytecode kept in {prefix}"
    writes = not env.get("PYTHONDONTWRITEBYTECODE")
    if cached:
        return "the venv holds compiled bytecode (.pyc)"
    if writes:
        return "no .pyc in the venv yet; Python writes them on the first run"
    return ("no .pyc in the venv and PYTHONDONTWRITEBYTECODE is set: every run compiles every "
            "module it imports")


def run_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                          cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return seconds


def series(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    run_once(command, env)  # warm the file cache (and the bytecode folder, when there is one)
    return sorted(run_once(command, env) for _ in range(runs))


def report(name: str, times: list[float]) -> None:
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    median = statistics.median(times)
    verdict = "meets" if median <= TARGET_SECONDS else "misses"
    print(f"{name:<22} {len(times):>4} {median:>8.3f} {times[0]:>8.3f} {p95:>8.3f} {times[-1]:>8.3f}"
          f"   {verdict} the {TARGET_SECONDS:.2f} s target")


def slowest_imports(command: list[str], env: dict[str, str], top: int) -> None:
    """The imports of one run under -X importtime: the slowest modules by their own time (the
    time to read, compile and run the module itself), and the packages by the sum of theirs."""
    done = subprocess.run([sys.executable, "-X", "importtime", *command], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((int(own), int(cumulative), name.strip(), depth))
    total = sum(own for own, *_ in rows)
    print(f"\nimports of one run under -X importtime ({len(rows)} modules, {total / 1e6:.3f} s "
          "in all; the flag itself slows every import):")
    print("  slowest by own time (ms):")
    for own, cumulative, name, _ in sorted(rows, reverse=True)[:top]:
        print(f"    {own / 1000:>7.1f}  {name}  (with its imports {cumulative / 1000:.1f})")
    by_package: dict[str, int] = {}
    for own, _, name, _ in rows:
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + own
    print("  by package, own times added up (ms):")
    for package, own in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {own / 1000:>7.1f}  {package}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="processes per series (20)")
    parser.add_argument("--top", type=int, default=15, help="imports listed (15)")
    parser.add_argument("--cached-bytecode", action="store_true",
                        help="also measure with compiled bytecode kept in a temporary folder")
    args = parser.parse_args(argv)

    command = [str(script()), "screen", str(INTAKE)]
    env = dict(os.environ)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"start-up benchmark: {' '.join(command[1:])} as a whole process, {args.runs} runs, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load:.2f}")
    print(f"bytecode: {bytecode_state(env)}")
    print(f"{'series':<22} {'runs':>4} {'median':>8} {'min':>8} {'p95':>8} {'max':>8}")
    report("as installed", series(command, env, args.runs))
    if args.cached_bytecode:
        with tempfile.TemporaryDirectory(prefix="hipscreen-pyc-") as folder:
            cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            cached["PYTHONPYCACHEPREFIX"] = folder
            report("cached bytecode", series(command, cached, args.runs))
    if load > (os.cpu_count() or 1) / 2 or os.getloadavg()[0] > (os.cpu_count() or 1) / 2:
        print(f"note: other work was running (load average {os.getloadavg()[0]:.2f}); "
              "the figures are high")
    slowest_imports(command, env, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
