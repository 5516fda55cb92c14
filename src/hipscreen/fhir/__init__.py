"""FHIR in and out (R4B by default, R5 on request): Questionnaire, QuestionnaireResponse, Bundle."""

from hipscreen.fhir.bundle import bundle, bundle_json
from hipscreen.fhir.common import RELEASES, Release
from hipscreen.fhir.questionnaire import QUESTIONS, questionnaire, questionnaire_json
from hipscreen.fhir.response import intake_from_response, response_from_intake, response_row

__all__ = [
    "QUESTIONS",
    "RELEASES",
    "Release",
    "bundle",
    "bundle_json",
    "intake_from_response",
    "questionnaire",
    "questionnaire_json",
    "response_from_intake",
    "response_row",
]
