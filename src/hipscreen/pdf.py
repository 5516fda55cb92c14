"""Printable PDF reports of a Result, made with Typst: the clinician's report and the person's plan.

Every piece of text reaches Typst as a JSON string through `sys.inputs` (the templates read it
with `json(bytes(sys.inputs.data))`) and the reasoning picture as SVG text in `sys.inputs`, so no
answer, label or name can ever be read as Typst markup: the templates only place strings, they
never evaluate them. The templates live in hipscreen/templates/ (installed with the package);
Typst's own embedded fonts are used and system fonts are ignored, so a report looks the same on
every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any, Literal

from babel.dates import format_date

from hipscreen.documents import OutputError
from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint
from hipscreen.i18n import N_, Words, _, current_language, translate
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Movement, Safety, Symptoms
from hipscreen.picture import (
    Graph,
    PictureError,
    deficit_reasons,
    reasoning_graph,
    reasoning_summary,
    reasoning_svg,
)
from hipscreen.render import safety_not_asked_line
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, PlanItem, Result
from hipscreen.words import (
    CLINICIAN_LEVEL_WORDS,
    CONFIDENCE_WORDS,
    LEVEL_COLOURS,
    NO_DRILLS_AT_THIS_LEVEL,
    SIDE_WORDS,
    certainty_scale,
    field_label,
    flag_answer_words,
    no_plan_words,
    tell_the_service,
    value_words,
    variant_words,
)

Report = Literal["clinician", "plan"]
REPORTS: tuple[Report, ...] = ("clinician", "plan")
PICTURE_FONT = "Libertinus Serif"
"""The font Typst embeds and the templates use; the reasoning picture is laid out with it."""

TEXT_WIDTH_PT = 481.8
"""The text width of the templates' A4 page (595.3 pt less two 2 cm margins)."""
PICTURE_MAX_HEIGHT_PT = 640.0
"""The tallest the reasoning picture prints, leaving room for its heading on the page."""

_TITLES = Words({"clinician": N_("hipscreen screening report for a clinician"),
                 "plan": N_("Your hipscreen plan")})


def template_words() -> dict[str, str]:
    """Every heading and label the templates print, in the current language (the templates
    hold no words of their own)."""
    return {
        "triage": _("TRIAGE"),
        "no_exercises": translate(NO_DRILLS_AT_THIS_LEVEL),
        "person": _("Person"),
        "what_to_tell": _("What to tell them"),
        "side": _("Side"),
        "dose": _("Dose"),
        "how_to": _("How to do it"),
        "cues": _("Cues"),
        "feel": _("You should feel"),
        "dont_feel": _("You should NOT feel"),
        "dont_feel_note": _("(if you do, stop and use the easier version)"),
        "easier": _("Easier"),
        "harder": _("Harder, once it is easy"),
        "before_you_start": _("Before you start"),
        "your_drills": _("Your drills"),
        "see_a_clinician_if": _("See a clinician if ..."),
        "red_flags_raised": _("Red flags raised"),
        "from_the_answers": _("From the answers:"),
        "source": _("Source:"),
        "patient_summary": _("Patient summary"),
        "movement_tests": _("Movement tests and measurements"),
        "no_movement_test": _("No movement test was done."),
        "response_to_drills": _("Response to drills tried"),
        "red_flag_questions": _("Red-flag questions"),
        "red_flag_questions_note": _(
            "Each safety question as answered; a \"yes\" is in bold. A question never asked reads "
            "\"Not asked\", in italics: it is not a \"no\"."),
        "deficits": _("Likely and possible deficits"),
        "certainty_note": _("Certainty combines the evidence of every finding (certainty "
                            "factors), per side; {scale}.", scale=certainty_scale()),
        "certainty": _("certainty"),
        "shown_by": _("Shown by:"),
        "plan": _("Plan"),
        "drill": _("Drill"),
        "dose_and_why": _("Dose and why"),
        "precautions": _("Precautions applied"),
        "tests_not_done": _("Tests not done"),
        "every_test_done": _("Every movement test was done."),
        "not_tested_note": _("Not tested is not the same as \"no problem\". Each would have "
                             "checked:"),
        "would_check": _("would check"),
        "picture": _("The reasoning picture"),
        "picture_note": _("Answers (left) lead to findings, findings to deficits, deficits to "
                          "drills. An edge's number is the evidence weight; a dashed box is a "
                          "drill left out for safety."),
        "page_of": _("{page} of {total}"),
    }


class ReportError(OutputError):
    """A report could not be made (Typst or the reasoning picture failed); the message says why."""


def report_pdf(result: Result, report: Report, *, person: str | None = None,
               today: dt.date | None = None) -> bytes:
    """The report as PDF bytes: "clinician" (the whole screening, with the reasoning picture) or
    "plan" (the drills for the person, or only the action when the triage stops the plan).
    `person` is an optional pseudonymous label printed in the header; `today` the report date."""
    import typst

    if report not in REPORTS:
        raise ValueError(f"report must be one of {', '.join(REPORTS)}, not {report!r}")
    graph = reasoning_graph(result) if report == "clinician" and result.traced else None
    data = report_data(result, report, person=person, today=today, graph=graph)
    inputs = {}
    if graph is not None:
        try:
            inputs["picture"] = reasoning_svg(result, fontname=PICTURE_FONT, graph=graph)
        except PictureError as exc:
            raise ReportError(f"the {report} report: {exc}") from None
        data["picture_width"] = picture_width(inputs["picture"])
    # a lone surrogate (possible in text read from JSON) cannot be encoded: it prints as "?"
    inputs["data"] = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    templates = resources.files("hipscreen") / "templates"
    with resources.as_file(templates) as folder:
        try:
            pdf = typst.compile(str(folder / f"{report}.typ"), root=str(folder), format="pdf",
                                sys_inputs=inputs, ignore_system_fonts=True)
        except RuntimeError as exc:  # typst.TypstError, or a template that cannot be read
            message = getattr(exc, "message", None) or str(exc)
            raise ReportError(f"the {report} report could not be typeset: {message}") from None
    assert isinstance(pdf, bytes)
    return pdf


# -- the data the templates place --------------------------------------------------------------
def report_data(result: Result, report: Report, *, person: str | None = None,
                today: dt.date | None = None, graph: Graph | None = None) -> dict[str, Any]:
    """Everything a template shows, as JSON-ready plain strings, lists and flags (no markup).
    `graph`: the result's reasoning graph, when the caller built it already (the picture's)."""
    today = today or dt.date.today()
    lang = current_language()
    data: dict[str, Any] = {
        "lang": lang,
        "words": template_words(),
        "title": _TITLES[report],
        "date": format_date(today, "d MMMM y" if lang == "en" else "long", locale=lang),
        "person": person or "",
        "version": _("hipscreen {version}, knowledge base {fingerprint}",
                     version=hipscreen_version(), fingerprint=knowledge_fingerprint()),
        "disclaimer": translate(result.disclaimer),
        "triage": _triage(result),
    }
    if report == "clinician":
        data |= _clinician(result, graph)
    else:
        data |= _plan(result)
    return data


def picture_width(svg: str) -> float:
    """The width, in points, to print an SVG at: its own size (never enlarged, so the picture's
    text stays the size it was laid out at), shrunk to fit the text area of an A4 page."""
    size = re.search(r'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', svg)
    if size is None:
        return TEXT_WIDTH_PT
    width, height = float(size[1]), float(size[2])
    return round(min(width, TEXT_WIDTH_PT, width * PICTURE_MAX_HEIGHT_PT / height), 1)


def _triage(result: Result) -> dict[str, Any]:
    t = result.triage
    stops = t.level in LEVELS_THAT_STOP_DRILLS or not t.drills_allowed
    fill, stroke = LEVEL_COLOURS.get(t.level, ("#ebebeb", "#3c3c3c"))
    return {
        "level": t.level,
        "fill": fill,
        "stroke": stroke,
        "label": t.label,
        "action": t.action,
        "note": t.plan_note or "",
        "stops": stops,
        "not_asked": safety_not_asked_line(result) or "",
        "red_flags": [{"label": f.label, "level": CLINICIAN_LEVEL_WORDS[f.level].lower(),
                       "answers": flag_answer_words(f.answers), "source": f.source}
                      for f in t.red_flags],
    }


def _rows(section: str, values: dict[str, Any]) -> list[list[str]]:
    return [[field_label(f"{section}.{name}"), value_words(f"{section}.{name}", value)]
            for name, value in values.items()]


def _clinician(result: Result, graph: Graph | None = None) -> dict[str, Any]:
    intake = result.intake
    person = [[field_label("age"), _("{age} years", age=intake.age) if intake.age is not None
               else _("Not given")],
              [field_label("sex"), value_words("sex", intake.sex) if intake.sex
               else _("Not given")],
              [field_label("mode"), value_words("mode", intake.mode)],
              [field_label("activities"), value_words("activities", list(intake.activities))]]
    symptoms = _rows("symptoms", {name: getattr(intake.symptoms, name)
                                  for name in Symptoms.model_fields})
    tested = {name: getattr(intake.movement, name) for name in Movement.model_fields
              if getattr(intake.movement, name) is not None}
    movement = _rows("movement", tested)
    response = {name: list(getattr(intake.drill_response, name))
                for name in type(intake.drill_response).model_fields
                if getattr(intake.drill_response, name)}
    safety = [{"label": field_label(f"safety.{name}", clinician=True),
               "answer": value_words(f"safety.{name}", value),  # None: "Not asked", never "No"
               "yes": value not in (False, "none", None), "not_asked": value is None}
              for name, value in ((n, getattr(intake.safety, n)) for n in Safety.model_fields)]
    reasons = deficit_reasons(result)
    deficits = [{"label": d.label,
                 "side": SIDE_WORDS[d.side],
                 "confidence": CONFIDENCE_WORDS[d.confidence],
                 "certainty": f"{d.certainty:.2f}",
                 "explanation": d.explanation,
                 "shown_by": reasons.get((d.id, d.side), [])} for d in result.deficits]
    return {
        "person_rows": person,
        "symptom_rows": symptoms,
        "movement_rows": movement,
        "response_rows": _rows("drill_response", response),
        "safety": safety,
        "deficits": deficits,
        "certainty_scale": certainty_scale(),
        "no_deficit": "" if result.deficits else _("No deficit was concluded from the answers given."),
        "plan": [{"name": _drill_name(item), "side": SIDE_WORDS[item.side],
                  "dose": item.dose.text, "why": item.why} for item in result.plan],
        "no_plan": no_plan_words(result),
        "precautions": [{"label": p.label, "text": p.text} for p in result.precautions],
        "skipped": [{"label": s.label, "would_check": s.would_check} for s in result.skipped_tests],
        "has_picture": result.traced,
        "picture_alt": reasoning_summary(result, graph=graph) if result.traced else "",
    }


def _plan(result: Result) -> dict[str, Any]:
    if result.triage.level in LEVELS_THAT_STOP_DRILLS:
        # only the action, in words: no drill and nothing that could read as a plan
        return {"only_action": True, "drills": [], "no_plan": "", "precautions": [],
                "safety_net": [], "tell_them": tell_the_service(result)}
    return {
        "only_action": False,
        "drills": [_drill_card(item) for item in result.plan],
        # without drills at this level the triage box already says so
        "no_plan": no_plan_words(result) if result.triage.drills_allowed else "",
        "precautions": [{"label": p.label, "text": p.text} for p in result.precautions],
        "safety_net": list(result.safety_net),
        "tell_them": [],
    }


def _drill_name(item: PlanItem) -> str:
    name = item.name
    if words := variant_words(item):  # never "Supported ... (supported version)"
        name += f" ({words})"
    if item.replaces:
        name += _(", instead of the {drill}", drill=catalogue().drills[item.replaces].name.lower())
    return name


def _drill_card(item: PlanItem) -> dict[str, Any]:
    return {
        "name": _drill_name(item),
        "side": SIDE_WORDS[item.side],
        "dose": item.dose.text,
        "purpose": item.purpose,
        "steps": item.steps,
        "cues": item.cues,
        "feel": item.feel,
        "dont_feel": item.dont_feel,
        "easier": item.regression,
        "harder": item.progression,
        "picture": drill_picture(item.drill) or "",
    }


def drill_picture(drill_id: str) -> str | None:
    """The drill's picture as SVG text (its start and end position as a line figure): the
    catalogue's `picture` names an .svg file of the knowledge data folder
    (pictures/<drill id>.svg; lint checks every drill has one), printed on the drill's card."""
    name = getattr(catalogue().drills[drill_id], "picture", None)
    if not name:
        return None
    path = resources.files("hipscreen.knowledge") / "data" / str(name)
    return path.read_text(encoding="utf-8") if str(name).endswith(".svg") else None
