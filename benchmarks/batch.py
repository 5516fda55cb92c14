"""Batch screening throughput and peak memory.

Screens N synthetic intakes (default 20,000) from a CSV file to a CSV file with `screen_file`,
once per --jobs value (default 1 and 2), each run in a fresh Python process so that its peak
memory is its own. Prints:

* the seconds `screen_file` took and intakes per second from them (the issue's figure): reading,
  worker start-up, screening, writing, and the imports the call makes itself (pandas, and with
  --jobs 1 the rule engine), as a `hipscreen batch` run makes them;
* the whole process's wall seconds, with Python's start and every import;
* the CPU seconds spent by the process itself and by its workers with the fork server;
* peak resident memory from `resource.getrusage`: the process that reads, chunks and writes
  (RUSAGE_SELF) and the largest worker process (RUSAGE_CHILDREN).

The machine's load average is printed before and after: with other work running the wall
figures grow, and the CPU seconds are the steadier measure.

    uv run python benchmarks/batch.py            # 20,000 intakes, jobs 1 and 2
    uv run python benchmarks/batch.py --n 2000 --jobs 1 2 4
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hipscreen.batch import screen_file, write_table

# The measured run is this file run again with --one: its imports are what the fork server
# preloads along with the worker modules (it imports the main module), so the synthetic data
# (and pandas with it) is imported only by the run that writes the input.


def _generate_frame(n: int, seed: int):
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:  # run as a script: only benchmarks/ itself is on sys.path
        sys.path.insert(0, root)
    from tests.synth_helpers import generate_frame

    return generate_frame(n, seed)


def _mib(maxrss: int) -> float:
    """ru_maxrss in MiB (kilobytes on Linux, bytes on macOS)."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def run_once(in_path: str, out_path: str, jobs: int) -> dict[str, float]:
    """Screen the file once in this process and measure it."""
    summary = screen_file(in_path, out_path, jobs=jobs, progress=False)
    # worker processes are children of the forkserver; stopping it makes them waited-for
    # descendants of this process, so their peak shows in RUSAGE_CHILDREN
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    if jobs > 1 and hasattr(server, "_stop"):
        server._stop()
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "jobs": jobs,
        "rows": summary.rows,
        "errors": summary.errors,
        "seconds": summary.seconds,
        "self_cpu": me.ru_utime + me.ru_stime,
        "workers_cpu": children.ru_utime + children.ru_stime,
        "self_mib": _mib(me.ru_maxrss),
        "worker_mib": _mib(children.ru_maxrss),
    }


def _measure_in_fresh_process(in_path: Path, out_path: Path, jobs: int) -> dict[str, float]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--one",
        str(in_path),
        str(out_path),
        "--jobs",
        str(jobs),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return {**json.loads(done.stdout.strip().splitlines()[-1]),
            "process_seconds": time.perf_counter() - start}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="synthetic intakes (20000)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # the measured child run
        print(json.dumps(run_once(args.one[0], args.one[1], args.jobs[0])))
        return 0

    with tempfile.TemporaryDirectory(prefix="hipscreen-bench-") as tmp:
        in_path = Path(tmp) / "intakes.csv"
        write_table(_generate_frame(args.n, args.seed), in_path)
        print(
            f"batch benchmark: {args.n} synthetic intakes (seed {args.seed}), CSV in and out, "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        print(
            f"{'jobs':>4} {'seconds':>9} {'intakes/s':>10} {'process s':>10} {'cpu s':>7} "
            f"{'workers cpu s':>14} {'errors':>7} {'main peak MiB':>14} {'worker peak MiB':>16}"
        )
        outputs = []
        for jobs in args.jobs:
            out_path = Path(tmp) / f"out-{jobs}.csv"
            m = _measure_in_fresh_process(in_path, out_path, jobs)
            worker = f"{m['worker_mib']:.1f}" if jobs > 1 else "-"
            workers_cpu = f"{m['workers_cpu']:.2f}" if jobs > 1 else "-"
            print(
                f"{jobs:>4} {m['seconds']:>9.2f} {m['rows'] / m['seconds']:>10.1f} "
                f"{m['process_seconds']:>10.2f} {m['self_cpu']:>7.2f} {workers_cpu:>14} "
                f"{m['errors']:>7} {m['self_mib']:>14.1f} {worker:>16}",
                flush=True,
            )
            outputs.append(out_path.read_bytes())
        same = all(out == outputs[0] for out in outputs)
        print(f"outputs identical across jobs: {'yes' if same else 'NO'}; load average now "
              f"{os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
