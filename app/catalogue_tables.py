"""The knowledge browser's tables: the rules (their conditions in words) and each catalogue,
searchable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hipscreen.explain import condition_words
from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.rules.registry import rules
from hipscreen.words import CLINICIAN_LEVEL_WORDS, field_label

if TYPE_CHECKING:  # pandas is imported by the functions that build a table, not by every page
    import pandas as pd


def knowledge_tables() -> dict[str, pd.DataFrame]:
    """Rules, findings, deficits, drills, red flags, precautions and self-tests as tables; the
    id, the words and the source come first, so a narrow screen shows what matters. The column
    titles read in the current language, as the catalogue's words do (catalogue() reads them so);
    a rule's text and its conditions are in English: they have no catalogue."""
    import pandas as pd

    cat = catalogue()
    cite = cat.cite

    def words(text: str) -> str:
        return " ".join(text.split())

    def yes(flag: bool) -> str:
        return _("yes") if flag else _("no")

    tables = {
        N_("Rules"): pd.DataFrame([
            {"id": r.id, _("text"): " ".join(r.text.split()), _("source"): cite(r.source),
             _("stage"): r.stage, _("when"): "; ".join(condition_words(c) for c in r.conditions
                                                        if c.kind != "InitialFact"),
             _("concludes"): ", ".join(r.concludes),
             _("weight"): "" if r.weight is None else f"{r.weight:g}"}
            for r in rules().values()]),
        N_("Findings"): pd.DataFrame([
            {"id": k, _("label"): f.label, _("source"): cite(f.source),
             _("sided"): yes(f.sided), _("from answers"): ", ".join(
                 field_label(a) for a in f.answers)} for k, f in cat.findings.items()]),
        N_("Deficits"): pd.DataFrame([
            {"id": k, _("label"): d.label, _("text"): words(d.text),
             _("source"): cite(d.source),
             _("drills"): ", ".join(cat.drills[x].name for x in d.drills)}
            for k, d in cat.deficits.items()]),
        N_("Drills"): pd.DataFrame([
            {"id": k, _("name"): d.name, _("purpose"): words(d.purpose),
             _("source"): cite(d.source), _("variant"): d.variant, _("dose"): d.dose.text(),
             _("easier"): d.regression, _("harder"): d.progression}
            for k, d in sorted(cat.drills.items(), key=lambda kv: kv[1].order)]),
        N_("Red flags"): pd.DataFrame([
            {"id": k, _("label"): f.label, _("action"): f.action, _("source"): cite(f.source),
             _("level"): CLINICIAN_LEVEL_WORDS[f.level].lower(), _("when"): f.when,
             _("stops drills"): yes(f.stops_drills)}
            for k, f in cat.red_flags.items()]),
        N_("Precautions"): pd.DataFrame([
            {"id": k, _("label"): p.label, _("text"): words(p.text),
             _("source"): cite(p.source)} for k, p in cat.precautions.items()]),
        N_("Self-tests"): pd.DataFrame([
            {"id": k, _("label"): m.label, _("how to"): m.how_to, _("source"): cite(m.source),
             _("would check"): m.would_check} for k, m in cat.movement_tests.items()]),
    }
    return tables


def filter_table(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows in which every word of the query appears somewhere (case-insensitive)."""
    import pandas as pd

    words = query.lower().split()
    if not words or table.empty:
        return table
    haystack = table.apply(lambda row: " ".join(str(v) for v in row).lower(), axis=1)
    mask = pd.Series(True, index=table.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return table[mask]
