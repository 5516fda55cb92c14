"""What the FHIR modules share: the releases, the model classes of each, hipscreen's canonical
URLs under a base the user can set, the standard extension and terminology URLs, narratives."""

from __future__ import annotations

import html
import os
import re
from typing import Any, Literal

from hipscreen.documents import InputError, clip

Release = Literal["R4B", "R5"]
RELEASES: tuple[Release, ...] = ("R4B", "R5")

DEFAULT_BASE = "https://hipscreen.example/fhir"
"""The canonical base when none is set: an example domain, so every hipscreen URL says plainly
that it is not published anywhere. A clinic sets its own (`--canonical-base` on `hipscreen
fhir`, or the `HIPSCREEN_FHIR_BASE` environment variable for every command) and loads the
CodeSystems `hipscreen fhir codesystems` prints into its terminology server."""
BASE_ENV = "HIPSCREEN_FHIR_BASE"
QUESTIONNAIRE_ID = "hipscreen-intake"
NONE_CODE = "none"
"""The answer of a list-valued test that was done and found nothing (an empty list), as
opposed to no item at all (not tested)."""

# -- standard URLs -------------------------------------------------------------------------------
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
ENTRY_FORMAT = "http://hl7.org/fhir/StructureDefinition/entryFormat"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
MAX_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
CONSTRAINT = "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint"
XHTML_NS = "http://www.w3.org/1999/xhtml"

_BASE_FORM = re.compile(r"^https?://[^\s|#?]+[^\s|#?/]$")


def canonical_base(base: str | None = None) -> str:
    """The canonical base in effect: `base` when given, else $HIPSCREEN_FHIR_BASE, else the
    example base. An absolute http(s) URL with no query, fragment, `|` or trailing slash."""
    chosen = base if base is not None else os.environ.get(BASE_ENV) or DEFAULT_BASE
    chosen = chosen.strip().rstrip("/")
    if not _BASE_FORM.match(chosen):
        source = "--canonical-base" if base is not None else f"${BASE_ENV}"
        raise InputError(f"{source} {clip(repr(chosen))}: expected an absolute http(s) URL such "
                         f"as {DEFAULT_BASE} (no query, fragment or '|')")
    return chosen


def code_system(name: str, base: str | None = None) -> str:
    """The URL of one of hipscreen's code systems: an intake field's dotted path
    (`movement.hip_shift`) or an output vocabulary (`deficit`, `drill`, `triage-level`, ...)."""
    return f"{canonical_base(base)}/CodeSystem/{name}"


def questionnaire_url(base: str | None = None, form: str = "intake") -> str:
    """The canonical URL of hipscreen's Questionnaire `form` (`intake` or `checkin`)."""
    return f"{canonical_base(base)}/Questionnaire/{form}"


def module_url(base: str | None = None) -> str:
    return f"{canonical_base(base)}/Library/hipscreen"


def extension_url(name: str, base: str | None = None) -> str:
    """The URL of one of hipscreen's own extensions (`knowledge-fingerprint`, `triage-level`)."""
    return f"{canonical_base(base)}/StructureDefinition/{name}"



def check_release(release: str) -> Release:
    if release not in RELEASES:
        raise InputError(f"FHIR release {clip(repr(release))}: expected one of {', '.join(RELEASES)}")
    return release  # type: ignore[return-value]


def model_class(release: Release, name: str) -> Any:
    """The fhir.resources class of resource `name` in `release` (R4B under fhir.resources.R4B,
    R5 at the top level of fhir.resources)."""
    if check_release(release) == "R4B":
        from fhir.resources.R4B import get_fhir_model_class
    else:
        from fhir.resources import get_fhir_model_class
    return get_fhir_model_class(name)


def build(release: Release, data: dict[str, Any]) -> Any:
    """A resource dict as a validated fhir.resources model of `release`. A failure here is a
    bug in hipscreen, not in its input, so it is raised as it is."""
    return model_class(release, data["resourceType"]).model_validate(data)


def narrative(*blocks: str | list[str] | tuple[str, ...]) -> dict[str, str]:
    """A generated Narrative: each string a paragraph, each list a bulleted list; escaped."""
    parts = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block, quote=False)}</p>")
        elif block:
            items = "".join(f"<li>{html.escape(line, quote=False)}</li>" for line in block)
            parts.append(f"<ul>{items}</ul>")
    return {"status": "generated", "div": f'<div xmlns="{XHTML_NS}">{"".join(parts)}</div>'}


def fhir_datetime(value: Any) -> str:
    """A datetime as a FHIR dateTime string (seconds, with its offset; UTC as Z)."""
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


__all__ = [
    "BASE_ENV",
    "CONSTRAINT",
    "DEFAULT_BASE",
    "ENTRY_FORMAT",
    "LOINC",
    "MAX_OCCURS",
    "MAX_VALUE",
    "MIN_VALUE",
    "NONE_CODE",
    "OPTION_EXCLUSIVE",
    "QUESTIONNAIRE_ID",
    "RELEASES",
    "RISK_PROBABILITY",
    "Release",
    "SNOMED",
    "UCUM",
    "UNIT",
    "build",
    "canonical_base",
    "check_release",
    "code_system",
    "extension_url",
    "fhir_datetime",
    "model_class",
    "module_url",
    "narrative",
    "questionnaire_url",
]
