"""Benchmark screen(): engine build time, and median / p95 time per screen (trace included)
over varied synthetic intakes. Run: uv run python benchmarks/screen.py [--n 1000]"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth import generate  # noqa: E402
from hipscreen.knowledge.intake import Intake  # noqa: E402
from hipscreen.rules.engine import ScreeningEngine  # noqa: E402
from hipscreen.screening import screen  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="number of intakes (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    intakes = [Intake.model_validate(d) for d in generate(args.n, seed=args.seed)]

    start = time.perf_counter()
    ScreeningEngine()
    first_build = time.perf_counter() - start
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        ScreeningEngine()
        builds.append(time.perf_counter() - start)

    screen(intakes[0])  # this thread's engine, built once and reused
    times = []
    for intake in intakes:
        start = time.perf_counter()
        screen(intake)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"intakes: {len(times)} (synthetic, seed {args.seed}), thread {threading.get_ident()}")
    print(f"engine build: first {first_build * 1000:.1f} ms, then median "
          f"{statistics.median(builds) * 1000:.1f} ms")
    print(f"screen(): median {statistics.median(times) * 1000:.2f} ms, "
          f"p95 {p95 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms, "
          f"mean {statistics.fmean(times) * 1000:.2f} ms")
    print("targets: median <= 3 ms (rule-base issue), <= 2 ms (batch issue)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
