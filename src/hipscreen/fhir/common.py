"""What the FHIR modules share: the releases, the model classes of each, and hipscreen's URLs."""

from __future__ import annotations

from typing import Any, Literal

from hipscreen.documents import InputError, clip

Release = Literal["R4B", "R5"]
RELEASES: tuple[Release, ...] = ("R4B", "R5")

BASE_URL = "https://hipscreen.example/fhir"
"""Every URL hipscreen mints (code systems, the Questionnaire, the module) starts here."""
QUESTIONNAIRE_URL = f"{BASE_URL}/Questionnaire/intake"
QUESTIONNAIRE_ID = "hipscreen-intake"
MODULE_URL = f"{BASE_URL}/Library/hipscreen"
FINGERPRINT_EXTENSION = f"{BASE_URL}/StructureDefinition/knowledge-fingerprint"
NONE_CODE = "none"
"""The answer of a list-valued test that was done and found nothing (an empty list), as
opposed to no item at all (not tested)."""


def code_system(name: str) -> str:
    """The URL of one of hipscreen's code systems: an intake field's dotted path
    (`movement.hip_shift`) or an output vocabulary (`deficit`, `drill`, `triage-level`, ...)."""
    return f"{BASE_URL}/CodeSystem/{name}"


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


__all__ = [
    "BASE_URL",
    "FINGERPRINT_EXTENSION",
    "MODULE_URL",
    "NONE_CODE",
    "QUESTIONNAIRE_ID",
    "QUESTIONNAIRE_URL",
    "RELEASES",
    "Release",
    "build",
    "check_release",
    "code_system",
    "model_class",
]
