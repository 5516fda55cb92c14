"""hipscreen.rules.experta_patches: the experta version check, and the patched engine concluding
exactly what stock experta concludes with the same rules."""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest
from experta.matchers.rete import ReteMatcher
from experta.strategies import DepthStrategy
from hypothesis import HealthCheck, given, settings

import hipscreen.rules.experta_patches as experta_patches
from hipscreen.knowledge.intake import Intake
from hipscreen.rules.compiled_matcher import CompiledMatcher
from hipscreen.rules.engine import ScreeningEngine
from hipscreen.rules.experta_patches import (
    EXPERTA_VERSION,
    ExpertaVersionError,
    check_experta_version,
)
from tests.equivalence_helpers import Mismatch, StockEngine, checkin_runs, intake_facts, run_both
from tests.strategies import intakes
from tests.synth_helpers import generate

# -- the version check ---------------------------------------------------------------------------


def test_the_patches_are_for_the_installed_experta():
    assert importlib.metadata.version("experta") == EXPERTA_VERSION == "1.9.4"
    check_experta_version("1.9.4")


@pytest.mark.parametrize("installed", ["1.9.5", "2.0.0", "1.9"])
def test_another_experta_version_is_refused_with_what_to_do(installed):
    with pytest.raises(ExpertaVersionError) as raised:
        check_experta_version(installed)
    message = str(raised.value)
    assert f"experta {installed} is installed" in message
    assert "written for experta 1.9.4" in message
    assert "matcher" in message and "re-check" in message
    assert f"install experta=={EXPERTA_VERSION}" in message  # the other way out, pinned exactly
    assert "\n" not in message  # one line


def test_importing_the_patches_checks_the_installed_experta(monkeypatch):
    """Executes a fresh copy of the module (never put in sys.modules), so the module every
    other test uses is left as it is."""
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "1.10.0" if name == "experta" else "0")
    spec = importlib.util.spec_from_file_location("experta_patches_under_test",
                                                  experta_patches.__file__)
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(ImportError, match=r"experta 1\.10\.0 is installed.*written for experta 1\.9\.4"):
        spec.loader.exec_module(module)


# -- patched engine vs stock experta ------------------------------------------------------------
# The comparison itself lives in tests/equivalence_helpers.py; benchmarks/equivalence.py also runs
# it on 10,000 intakes.


def _run_both(patched: ScreeningEngine, stock: StockEngine, intake: Intake) -> bool:
    facts = intake_facts(intake)
    try:
        return run_both(patched, stock, facts, "intake")
    except Mismatch as exc:
        raise AssertionError(f"{exc}\n{intake.model_dump(mode='json', exclude_defaults=True)}") from None


@pytest.fixture(scope="module")
def engines() -> tuple[ScreeningEngine, StockEngine]:
    patched, stock = ScreeningEngine(), StockEngine()
    assert type(patched.matcher) is CompiledMatcher
    assert type(stock.matcher) is ReteMatcher and type(stock.strategy) is DepthStrategy
    return patched, stock


def test_patched_engine_concludes_what_stock_experta_does_on_1000_synthetic_intakes(engines):
    patched, stock = engines
    data = generate(1000, seed=9)
    same_order = sum(_run_both(patched, stock, Intake.model_validate(d)) for d in data)
    # Measured: the order is the same for about a quarter of these intakes, and the rest differ
    # only between same-stage rules on the same facts (e.g. hip_shift_suggests_unstable_hip
    # and hip_shift_suggests_poor_ir_control); what they conclude never differs.
    assert same_order > 0


@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes)
def test_patched_engine_concludes_what_stock_experta_does_on_random_intakes(engines, data):
    _run_both(*engines, Intake.model_validate(data))


def test_check_in_reviews_conclude_what_stock_experta_does(engines):
    """The review stage (rules/review.py) only fires on a check-in's facts: every check-in case."""
    runs = checkin_runs()
    assert len(runs) >= 22
    for what, facts in runs:
        run_both(*engines, facts, what)
