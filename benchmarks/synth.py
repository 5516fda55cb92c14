"""Write seeded synthetic intakes to a table (the generator is tests/synth_helpers.py).

    python benchmarks/synth.py 1000 intakes.csv      # or .jsonl / .parquet; a seed may follow
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.synth_helpers import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
