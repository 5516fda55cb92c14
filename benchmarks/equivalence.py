"""The rule base on hipscreen's engine (compiled matcher, patched strategy, fact list and run loop)
against the same rules on stock experta 1.9.4 (ReteMatcher, DepthStrategy, FactList, its reset and
run loop): what fired, what is known and how each fact was derived must be the same.

    uv run python benchmarks/equivalence.py --n 10000     # synthetic intakes, every case file

The comparison is tests/equivalence_helpers.py; tests/test_experta_patches.py runs it on 1,000
intakes, this script on the larger runs the speed issue asks for (10,000 intakes take about two
minutes, nearly all of it stock experta). Exit 1 on the first intake or case that differs, with
what differed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipscreen.knowledge.intake import Intake  # noqa: E402
from hipscreen.rules.engine import ScreeningEngine  # noqa: E402
from tests.equivalence_helpers import (  # noqa: E402
    Mismatch,
    StockEngine,
    case_intakes,
    checkin_runs,
    intake_facts,
    run_both,
)
from tests.synth_helpers import generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="synthetic intakes (default 10,000)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    ours, stock = ScreeningEngine(), StockEngine()
    start = time.perf_counter()
    runs = [(f"case {name}", intake_facts(intake)) for name, intake in case_intakes()]
    runs += checkin_runs()
    runs += [(f"synthetic intake {i} (seed {args.seed})", intake_facts(Intake.model_validate(d)))
             for i, d in enumerate(generate(args.n, seed=args.seed))]
    same_order = 0
    try:
        for what, facts in runs:
            same_order += run_both(ours, stock, facts, what)
    except Mismatch as exc:
        print(f"DIFFERENT: {exc}")
        return 1
    seconds = time.perf_counter() - start
    print(f"same conclusions on all {len(runs)} runs: {args.n} synthetic intakes (seed {args.seed}), "
          f"{len(case_intakes())} screening case files, {len(runs) - args.n - len(case_intakes())} "
          f"check-in reviews; same firing order on {same_order}; {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
