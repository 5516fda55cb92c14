"""Benchmark screen(): engine build time, and median / p95 time per screen (trace included) over
held-out synthetic intakes, with where the time goes. Run: uv run python benchmarks/screen.py

The intakes come from a seed that no tuning used (2026 by default). screen() returns its trace
lazily (hipscreen.result.Trace): the "screen() + reading the trace" line is the time of a caller
that reads every trace step too, as the JSON output and the explanations do."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hipscreen.knowledge.intake import Intake  # noqa: E402
from hipscreen.rules.engine import ScreeningEngine  # noqa: E402
from hipscreen.screening import _result, answers, engine, fields_the_rules_read, screen  # noqa: E402
from tests.synth_helpers import generate  # noqa: E402

TARGET_MS = 0.6  # the speed issue: screen() with the full trace, median


def _timed(fn, items) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return sorted(times)


def _line(label: str, times: list[float]) -> str:
    p95 = times[int(0.95 * (len(times) - 1))]
    return (f"{label:<34} median {statistics.median(times) * 1000:.3f} ms, "
            f"p95 {p95 * 1000:.3f} ms, mean {statistics.fmean(times) * 1000:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of intakes (default 1000)")
    parser.add_argument("--seed", type=int, default=2026, help="held-out seed (default 2026)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the intakes (default 3)")
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
    eng, read = engine(), fields_the_rules_read()

    def run_rules(intake: Intake) -> None:
        eng.reset()
        eng.declare(*(f for f in answers(intake) if f["field"] in read))
        eng.run()

    def with_trace(intake: Intake) -> None:
        for _ in screen(intake).trace:
            pass

    lines = {"screen()": [], "screen() + reading the trace": [], "the rules only (reset, run)": [],
             "building the Result": []}
    for _ in range(args.rounds):
        lines["screen()"] += _timed(screen, intakes)
        lines["screen() + reading the trace"] += _timed(with_trace, intakes)
        lines["the rules only (reset, run)"] += _timed(run_rules, intakes)
        build = []
        for intake in intakes:
            run_rules(intake)
            start = time.perf_counter()
            _result(intake, eng, True)
            build.append(time.perf_counter() - start)
        lines["building the Result"] += build

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"intakes: {len(intakes)} held-out synthetic (seed {args.seed}), {args.rounds} rounds")
    print(f"engine build: first {first_build * 1000:.1f} ms, then median "
          f"{statistics.median(builds) * 1000:.1f} ms")
    for label, times in lines.items():
        print(_line(label, sorted(times)))
    median = statistics.median(lines["screen()"]) * 1000
    print(f"target: screen() median <= {TARGET_MS} ms: {'met' if median <= TARGET_MS else 'NOT met'} "
          f"({median:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
