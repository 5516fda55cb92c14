"""hipscreen: a rule-based screening aid for recurring low back pain that is really a hip problem.

The front door for a library user::

    from hipscreen import Intake, Result, screen
    from hipscreen.explain import how, why_not

    result = screen(Intake(age=34, movement={"hip_shift": "right"}))
    result.triage.level, [d.id for d in result.deficits], why_not(result, "hip_airplane")

The names load on first use, so `hipscreen --help` does not start the rule engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hipscreen.knowledge.intake import Intake
    from hipscreen.result import Result
    from hipscreen.screening import screen

__all__ = ["Intake", "Result", "screen"]

_HOMES = {"Intake": "hipscreen.knowledge.intake", "Result": "hipscreen.result",
          "screen": "hipscreen.screening"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'hipscreen' has no attribute {name!r}")
    import importlib

    from hipscreen.compat import require_frozendict

    require_frozendict()  # a clear ImportError on pip's frozendict 1.2, before experta loads
    return getattr(importlib.import_module(_HOMES[name]), name)
