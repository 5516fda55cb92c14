"""The clinician note ready to paste into a record, with the safety-netting the person was given."""

from __future__ import annotations

from hipscreen.i18n import _
from hipscreen.render import clinician_note
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result


def note_to_paste(result: Result) -> str:
    """The clinician note (hipscreen.render.clinician_note) with the safety-netting the person
    was given, so the note holds the "see a clinician if" list its triage line speaks of."""
    note = clinician_note(result)
    if not result.safety_net or result.triage.level in LEVELS_THAT_STOP_DRILLS:
        return note
    body, sep, footer = note.rstrip("\n").rpartition("\n\n")
    lines = [_("Safety-netting given (see a clinician if):"),
             *(f"  - {' '.join(text.split())}" for text in result.safety_net)]
    return f"{body}\n" + "\n".join(lines) + f"{sep}{footer}\n"
