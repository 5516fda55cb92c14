"""A fingerprint of the knowledge base and rule base, so a saved or sent result can always be
told apart from one made by different rules or numbers."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from hipscreen.i18n import SOURCE_LANGUAGE, use_language
from hipscreen.knowledge.catalogue import catalogue, per_catalogue


def hipscreen_version() -> str:
    try:
        return version("hipscreen")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@per_catalogue
def knowledge_fingerprint() -> str:
    """sha256 (first 16 hex digits) of the catalogue in use and of every rule module's source:
    the same for the same rules and numbers, different after any edit to either."""
    from hipscreen import rules

    with use_language(SOURCE_LANGUAGE):  # the same knowledge base in every language
        digest = hashlib.sha256(catalogue().model_dump_json().encode("utf-8"))
    for path in sorted(Path(rules.__file__).parent.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
