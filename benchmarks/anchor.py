"""The CLIPS anchor (issue 13): screen() against the same rules in CLIPS, in one process.

The CLIPS source is generated from the experta rules and the catalogue (tests/clips_helpers.py).
First the agreement check: every case file's intake and `--check` synthetic intakes through both,
comparing triage, red flags, deficits (id, side, certainty to 4 decimals, confidence), plan
(drill, side, the drill it replaces) and precautions; then the review stage, on a port with all
five stages: every check-in of the check-in case files and `--checkins` synthetic check-ins,
review() against CLIPS (triage, red flags, decisions, next plan, precautions). Any difference is
printed and exits 1. Then the timing, on held-out synthetic intakes (another seed), interleaved
per intake with the order alternating: screen() with its full trace on this thread's built and
warmed engine, and CLIPS from the same intake: the answers screen() declares, reset, assert,
run, read back triage, deficits and plan.

    uv run python benchmarks/anchor.py [--n 1000] [--seed 1] [--check 3000] [--checkins 1000]
                                       [--check-seed 0] [--check-only | --no-check] [--dump-clp PATH]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipscreen.cases.files import CaseError, discover, load_case  # noqa: E402
from hipscreen.knowledge.checkin import CheckIn  # noqa: E402
from hipscreen.knowledge.intake import Intake  # noqa: E402
from hipscreen.review import Baseline, checkin_facts, review  # noqa: E402
from hipscreen.screening import answers, fields_the_rules_read, screen  # noqa: E402
from tests.clips_helpers import (  # noqa: E402
    ALL_STAGES,
    ClipsScreen,
    Outcome,
    generate,
    outcome_of,
    outcome_of_review,
)
from tests.synth_helpers import generate as synthetic  # noqa: E402
from tests.synth_helpers import synthetic_checkins  # noqa: E402

TARGET = 4.0  # screen() within 4x of the CLIPS port's median (issue 13)
SHOWN = 10  # disagreements printed in full


def clips_version() -> str:
    """The CLIPS version clipspy is built with (its banner string in the shared library)."""
    import clips._clips as lib

    try:
        found = re.search(rb"CLIPS \((\d+\.\d+(?:\.\d+)?)", Path(lib.__file__).read_bytes())
    except OSError:
        found = None
    return found.group(1).decode() if found else "unknown"


def processor() -> str:
    """The CPU's name (platform.processor() is empty on most Linux systems)."""
    name = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return name or platform.machine()


def _answers(intake: Intake) -> list:
    read = fields_the_rules_read()
    return [fact for fact in answers(intake) if fact["field"] in read]


def check(port: ClipsScreen, n: int, seed: int) -> int:
    """Screen every case file's intake and `n` synthetic intakes both ways; print the
    agreement and each disagreement. Returns the number of disagreements."""
    named: list[tuple[str, Intake]] = []
    paths, problems = discover([ROOT / "cases"])
    for _, message in problems:
        print(f"cases: {message}")
    for path in paths:
        try:
            named.append((f"case {path.relative_to(ROOT)}", load_case(path).intake))
        except CaseError as exc:
            print(f"case {path}: not loaded: {exc}")
            return 1
    cases = len(named)
    named += [(f"synthetic #{i} (seed {seed})", Intake.model_validate(d))
              for i, d in enumerate(synthetic(n, seed=seed))]
    wrong: list[tuple[str, Intake, list[str]]] = []
    for name, intake in named:
        python: Outcome = outcome_of(screen(intake))
        differences = python.differences(port.screen(_answers(intake)))
        if differences:
            wrong.append((name, intake, differences))
    bad_cases = sum(1 for name, *_ in wrong if name.startswith("case "))
    print(f"agreement: case files {cases - bad_cases}/{cases}, synthetic {n - len(wrong) + bad_cases}/{n} "
          f"(seed {seed}); compared triage, red flags, deficits, plan, precautions")
    for name, intake, differences in wrong[:SHOWN]:
        print(f"DISAGREE {name}: screen() != CLIPS")
        for line in differences:
            print(f"  {line}")
        print(f"  intake: {intake.model_dump_json(exclude_defaults=True)}")
    if len(wrong) > SHOWN:
        print(f"... and {len(wrong) - SHOWN} more disagreements")
    return len(wrong)


def check_reviews(port: ClipsScreen, n: int, seed: int) -> int:
    """The review stage: every check-in of the check-in case files (each against the plan the
    one before it left) and `n` synthetic check-ins, review() against the CLIPS port."""
    steps: list[tuple[str, CheckIn, Baseline]] = []
    paths, _ = discover([ROOT / "cases"])
    cases = 0
    for path in paths:
        case = load_case(path)
        if case.checkin is None:
            continue
        cases += 1
        baseline = Baseline.of_result(screen(case.intake), psfs=case.psfs)
        for i, checkin in enumerate([*case.earlier_checkins, case.checkin]):
            steps.append((f"case {path.relative_to(ROOT)} check-in #{i}", checkin, baseline))
            baseline = Baseline.of_review(review(checkin, baseline))
    in_cases = len(steps)
    steps += [(f"synthetic check-in #{i} (seed {seed})", checkin, baseline)
              for i, (checkin, baseline) in enumerate(synthetic_checkins(n, seed))]
    wrong = []
    for name, checkin, baseline in steps:
        python = outcome_of_review(review(checkin, baseline))
        differences = python.differences(port.review(checkin_facts(checkin, baseline)))
        if differences:
            wrong.append((name, differences))
    bad_cases = sum(1 for name, _ in wrong if name.startswith("case "))
    print(f"agreement (review stage): check-in case files {cases} ({in_cases - bad_cases}/{in_cases} "
          f"check-ins), synthetic check-ins {n - len(wrong) + bad_cases}/{n} (seed {seed}); "
          "compared triage, red flags, decisions, next plan, precautions")
    for name, differences in wrong[:SHOWN]:
        print(f"DISAGREE {name}: review() != CLIPS")
        for line in differences:
            print(f"  {line}")
    if len(wrong) > SHOWN:
        print(f"... and {len(wrong) - SHOWN} more disagreements")
    return len(wrong)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[int(0.95 * (len(ordered) - 1))]


def timing(port: ClipsScreen, n: int, seed: int) -> float:
    """Median screen() and CLIPS times per intake, interleaved; returns the ratio of medians.
    The CLIPS time runs from the answer facts screen() declares (made just before, untimed:
    the same answers(intake) that screen() makes inside its own time) to the outcome in Python."""
    intakes = [Intake.model_validate(d) for d in synthetic(n, seed=seed)]
    for intake in intakes[:50]:  # warm both: this thread's engine, CLIPS's memory pools
        screen(intake)
        port.run(port.facts(_answers(intake)))
    python_times, clips_times, answer_times = [], [], []
    clock = time.perf_counter
    for i, intake in enumerate(intakes):
        start = clock()
        facts = _answers(intake)
        answer_times.append(clock() - start)
        if i % 2 == 0:
            start = clock()
            screen(intake)
            middle = clock()
            port.run(port.facts(facts))
            end = clock()
            python_times.append(middle - start)
            clips_times.append(end - middle)
        else:
            start = clock()
            port.run(port.facts(facts))
            middle = clock()
            screen(intake)
            end = clock()
            clips_times.append(middle - start)
            python_times.append(end - middle)
    python_median, clips_median = statistics.median(python_times), statistics.median(clips_times)
    ratio = python_median / clips_median
    print(f"machine: {processor()} ({platform.machine()}), {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, clipspy {importlib.metadata.version('clipspy')}, "
          f"CLIPS {clips_version()}")
    print(f"intakes: {n} synthetic (seed {seed}), interleaved per intake, order alternating")
    print(f"screen() (full trace): median {python_median * 1e3:.3f} ms, "
          f"p95 {_p95(python_times) * 1e3:.3f} ms")
    print(f"CLIPS (answer facts in, reset, assert, run, outcome out): median {clips_median * 1e3:.3f} ms, "
          f"p95 {_p95(clips_times) * 1e3:.3f} ms")
    print(f"answers(intake), inside screen()'s time and not CLIPS's: median "
          f"{statistics.median(answer_times) * 1e3:.3f} ms")
    print(f"ratio screen()/CLIPS: {ratio:.2f}x (target: within {TARGET:g}x: "
          f"{'met' if ratio <= TARGET else 'not met'})")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="timed intakes (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the timed intakes (default 1)")
    parser.add_argument("--check", type=int, default=3000, metavar="N",
                        help="synthetic intakes in the agreement check (default 3000)")
    parser.add_argument("--check-seed", type=int, default=0,
                        help="seed of the agreement check's intakes and check-ins (default 0)")
    parser.add_argument("--checkins", type=int, default=1000, metavar="N",
                        help="synthetic check-ins in the review stage's agreement check (default 1000)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check-only", action="store_true", help="the agreement check, no timing")
    mode.add_argument("--no-check", action="store_true", help="the timing, no agreement check")
    parser.add_argument("--dump-clp", type=Path, metavar="PATH",
                        help="write the generated CLIPS source (the screening stages)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.check < 0 or args.checkins < 0:
        parser.error("--n must be at least 1, --check and --checkins at least 0")
    if args.seed == args.check_seed and not (args.check_only or args.no_check):
        parser.error("--seed and --check-seed must differ: the timing uses held-out intakes")

    start = time.perf_counter()
    source = generate()
    generated = time.perf_counter() - start
    if args.dump_clp:
        args.dump_clp.write_text(source.text(), encoding="utf-8")
    port = ClipsScreen(source)
    print(f"CLIPS port: {len(source.rule_ids)} rules of the screening stages, generated in "
          f"{generated * 1e3:.0f} ms" + (f", written to {args.dump_clp}" if args.dump_clp else ""))

    if not args.no_check:
        wrong = check(port, args.check, args.check_seed)
        wrong += check_reviews(ClipsScreen(generate(ALL_STAGES)), args.checkins, args.check_seed)
        if wrong:
            return 1
    if not args.check_only:
        timing(port, args.n, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
