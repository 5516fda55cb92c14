"""Name the frozendict fix before experta is imported: its pin (frozendict==1.2) breaks on Python 3.10+."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

FROZENDICT_FIX = 'pip install "frozendict>=2.4"'


def check_frozendict(lookup: Callable[[str], str] | None = None) -> str | None:
    """One line naming the fix when frozendict is missing or a 1.x, else None.

    experta 1.9.4 pins frozendict==1.2, which uses `collections.Mapping` (gone since Python 3.10),
    so a plain `pip install` of hipscreen gets an experta that cannot be imported. uv users get
    frozendict>=2.4 through `[tool.uv] override-dependencies`. `lookup` defaults to
    importlib.metadata.version. frozendict 2.x is a rewrite without `collections.Mapping`, so only
    1.x is refused; the fix names 2.4, the floor of the uv override.
    """
    try:
        found = (lookup or version)("frozendict")
    except PackageNotFoundError:
        return f"frozendict is not installed, and the rule engine (experta) needs it; fix: {FROZENDICT_FIX}"
    major = re.match(r"\d+", found)
    if major is None or int(major[0]) >= 2:  # an odd version string: let the import speak for itself
        return None
    return (f"frozendict {found} is installed (experta pins frozendict==1.2), and it does not work on "
            f"Python 3.10+; fix: {FROZENDICT_FIX}")


def require_frozendict() -> None:
    """Raise ImportError with check_frozendict()'s line, for code about to import experta."""
    if problem := check_frozendict():
        raise ImportError(problem)
