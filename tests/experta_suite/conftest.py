"""experta 1.9.4's own tests are data here, never collected by hipscreen's pytest run.

tests/test_experta_own_suite.py runs them in a subprocess with this directory's pytest.ini and
HIPSCREEN_EXPERTA_SUITE set:

- `patched`: experta's `KnowledgeEngine` (experta.KnowledgeEngine, experta.engine.KnowledgeEngine)
  is hipscreen's PatchedKnowledgeEngine (compiled matcher, patched strategy, fact list, declare,
  reset and run loop) for every test, replaced here before any test module imports it;
- `stock`: experta as installed, untouched (the suite's own baseline).

Either way hypothesis runs without its deadline (timing is not what these tests check).

With HIPSCREEN_EXPERTA_SUITE_REPORT naming a file, each test's outcome, the error that failed it
(type, message, and the file:function of each frame it was raised through) and how many compiled
matchers it built are written there as JSON.
"""

from __future__ import annotations

import json
import os
import traceback

import pytest

MODE = os.environ.get("HIPSCREEN_EXPERTA_SUITE")

if MODE not in ("patched", "stock"):
    collect_ignore_glob = ["*"]  # data, not hipscreen's tests
else:
    # experta's hypothesis tests check what the engine concludes, not how fast: no deadline
    # and no too-slow health check, so a busy machine cannot fail them
    from hypothesis import HealthCheck, settings

    settings.register_profile("experta-suite", deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("experta-suite")

if MODE == "patched":
    import experta
    import experta.engine

    from hipscreen.rules.compiled_matcher import CompiledMatcher
    from hipscreen.rules.experta_patches import PatchedKnowledgeEngine

    experta.KnowledgeEngine = experta.engine.KnowledgeEngine = PatchedKnowledgeEngine

    _built = [0]
    _matcher_init = CompiledMatcher.__init__

    def _counting_init(self, engine):
        _built[0] += 1
        _matcher_init(self, engine)

    CompiledMatcher.__init__ = _counting_init
else:
    _built = [0]

_REPORT: dict[str, dict] = {}


def _frames(tb, item) -> list[str]:
    frames = [f"{os.path.basename(frame.filename)}:{frame.name}"
              for frame in traceback.extract_tb(tb)]
    test = f"{item.path.name}:{item.originalname}"
    return frames[frames.index(test):] if test in frames else frames


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = _REPORT.setdefault(item.nodeid, {"outcome": "passed", "error": None, "matchers": 0})
    if report.when == "setup":
        _built[0] = 0
    if report.failed:
        entry["outcome"] = "failed"
        if call.excinfo is not None and entry["error"] is None:
            entry["error"] = {"type": call.excinfo.type.__name__,
                              "module": call.excinfo.type.__module__,
                              "message": str(call.excinfo.value).splitlines()[0][:300]
                              if str(call.excinfo.value) else "",
                              "when": report.when,
                              # where it was raised: file:function of each frame from the
                              # test function inwards
                              "frames": _frames(call.excinfo.tb, item)}
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
    if report.when == "teardown":
        entry["matchers"] = _built[0]


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("HIPSCREEN_EXPERTA_SUITE_REPORT")
    if path and MODE in ("patched", "stock"):
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"mode": MODE, "tests": _REPORT}, out, indent=1, sort_keys=True)
