"""The check-in review's words: its sentences, word tables and the review as text or Markdown."""

from __future__ import annotations

from typing import Any

from hipscreen.i18n import LANGUAGES, N_, Words, _, translate
from hipscreen.knowledge.catalogue import catalogue

# The constants are English message ids (N_): each is translated where it is read (`_()`), and
# the tables (Words) in the language of the moment they are read.
WORSE_ACTION = N_("Your pain or function is worse than at your last record by a change that "
                  "matters: talk to a clinician before you go on with the plan.")
KEEP_GOING_ACTION = N_("Go on with the new plan below. Read the list of when to see a clinician.")
REVIEW_PLAN_NOTE = N_("Go on with the plan once a clinician agrees.")
NO_PLAN_NOTE = N_("No plan was under review: the last record gave no drills. A new screening, or "
                  "a clinician, gives the next plan.")
WORSE_NOTE = N_("Worse since the last record: {change}, {mic}.")
SIGN_WORDS = Words({"low_back_pinch": N_("a low back pinch"),
                    "front_hip_pinch": N_("a pinch at the front of the hip"),
                    "hamstring_cramp": N_("a hamstring cramp"),
                    "knee_caving_in": N_("the knee caving in")})
DECISION_WORDS = Words({"progress": N_("Progress"), "keep": N_("Keep"),
                        "regress": N_("Make it easier"), "stop": N_("Stop")}, context="decision")
SIDES = Words({"left": N_("left"), "right": N_("right"), "both": N_("both")}, context="side")
"""A side as the review's text names it in brackets ("Glute bridge (left)")."""


def is_worse_note(note: str) -> bool:
    """Whether one of a Review's notes is a "worse since the last record" note, in any language
    (the text shows those next to the scores, not again among the notes)."""
    heads = tuple(translate(WORSE_NOTE, lang=lang).partition("{")[0] for lang in LANGUAGES)
    return note.startswith(heads)


def threshold_words(name: str) -> str:
    """A threshold's comparison in words, in the current language ('below 3/10')."""
    return catalogue().thresholds[name].words()


def review_text(rev: Any, *, markdown: bool = False) -> str:
    """The review (a `hipscreen.review_model.Review`) as text for people, or as a Markdown note,
    in the current language."""
    md = markdown
    h = (lambda t: f"## {t}") if md else (lambda t: f"{t}\n{'-' * len(t)}")
    b = "- " if md else "  * "
    t = rev.triage
    out = [(_("# hipscreen check-in") if md else _("HIPSCREEN CHECK-IN")), "",
           f"{'**' if md else ''}{rev.disclaimer}{'**' if md else ''}", "",
           _("Date: {date}", date=rev.date.isoformat()), "", h(_("Triage")),
           b + _("Level: {label} ({level})", label=t.label, level=t.level),
           b + _("Action: {action}", action=t.action)]
    if t.plan_note:
        out.append(f"{b}{t.plan_note}")
    out += [b + _("Red flag: {label} [{level}] - from {answers} (source: {source})", label=f.label,
                  level=f.level, answers=", ".join(a.line() for a in f.answers), source=f.source)
            for f in t.red_flags]
    out += ["", h(_("Since the last record"))]
    out += [f"{b}{c.text()}" + (_(" - WORSE by a change that matters") if c.worse else "")
            for c in rev.changes] or [b + _("Nothing to compare with.")]
    out += [f"{b}{n}" for n in rev.notes if not is_worse_note(n)]  # shown just above
    out += ["", h(_("Drill by drill"))]
    out += [b + _("{name} ({side}): {decision} - {text} [rules: {rules}]", name=d.name,
                  side=SIDES[d.side], decision=DECISION_WORDS[d.decision].upper(), text=d.text,
                  rules=", ".join(d.rules))
            for d in rev.decisions] or [b + _("No drill under review.")]
    out += ["", h(_("The updated plan"))]
    if not t.drills_allowed:
        out.append(b + _("No drills: {action}", action=t.action))
    elif not rev.plan:
        out.append(b + _("No drills."))
    for i, item in enumerate(rev.plan, 1):
        out.append(_("{number}. {name} - {side} ({dose})", number=i, name=item.name,
                     side=SIDES[item.side], dose=item.dose.text))
        out += [f"{'   - ' if md else '      '}{w}" for w in item.why]
    if rev.precautions:
        out += ["", h(_("Precautions applied"))]
        out += [f"{b}{p.label}: {p.text}" for p in rev.precautions]
    out += ["", h(_("See a clinician if"))]
    out += [f"{b}{s}" for s in rev.safety_net]
    out += ["", h(_("Rules that fired")), f"{b}" + ", ".join(dict.fromkeys(rev.rules_fired))]
    return "\n".join(out)
