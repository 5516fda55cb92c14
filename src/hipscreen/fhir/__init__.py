"""FHIR in and out (R4B by default, R5 on request): the intake and check-in Questionnaires,
QuestionnaireResponses read through the models, a screening as a Bundle, hipscreen's
CodeSystems."""

from hipscreen.fhir.bundle import bundle, bundle_dict, bundle_json
from hipscreen.fhir.checkin import (
    checkin_from_response,
    checkin_questionnaire,
    checkin_questionnaire_json,
    response_from_checkin,
)
from hipscreen.fhir.codesystems import code_systems, code_systems_json
from hipscreen.fhir.common import BASE_ENV, DEFAULT_BASE, RELEASES, Release, canonical_base
from hipscreen.fhir.questionnaire import QUESTIONS, questionnaire, questionnaire_json
from hipscreen.fhir.response import (
    intake_from_response,
    received_response,
    response_from_intake,
    response_row,
)

__all__ = [
    "BASE_ENV",
    "DEFAULT_BASE",
    "QUESTIONS",
    "RELEASES",
    "Release",
    "bundle",
    "bundle_dict",
    "bundle_json",
    "canonical_base",
    "checkin_from_response",
    "checkin_questionnaire",
    "checkin_questionnaire_json",
    "code_systems",
    "code_systems_json",
    "intake_from_response",
    "questionnaire",
    "questionnaire_json",
    "received_response",
    "response_from_checkin",
    "response_from_intake",
    "response_row",
]
