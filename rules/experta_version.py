"""The experta version hipscreen's patches and compiled matcher were written against, and its check."""

from __future__ import annotations

import importlib.metadata

EXPERTA_VERSION = "1.9.4"


class ExpertaVersionError(ImportError):
    """The installed experta is not the version hipscreen's patches were written for."""


def check_experta_version(installed: str | None = None) -> None:
    """Raise ExpertaVersionError unless `installed` (by default the installed experta's version)
    is the version the patches expect."""
    if installed is None:
        installed = importlib.metadata.version("experta")
    if installed != EXPERTA_VERSION:
        raise ExpertaVersionError(
            f"experta {installed} is installed, but hipscreen's patches to experta's matcher, "
            f"strategy and run loop (hipscreen.rules.experta_patches and "
            f"hipscreen.rules.compiled_matcher) were written for experta {EXPERTA_VERSION}: "
            f"re-check every patch against the installed experta's internals, then update "
            f"EXPERTA_VERSION (or install experta=={EXPERTA_VERSION}).")
