"""Every source has its full reference (authors, year, title, venue, and a DOI or URL, or a
`not_known` saying why there is none), every number is cited to a source that gives it or to
hipscreen's own heuristic, and `hipscreen lint` fails on a copy of the knowledge base that
breaks either."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from hipscreen.knowledge.catalogue import CatalogueError, Source, catalogue, load_catalogue
from hipscreen.lint import CHECKS, check_full_references, lint, read_knowledge
from hipscreen.rules.registry import rules

from .knowledge_copies import tuned_copy

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = ROOT / "cases"


def edit(data: Path, name: str, change: Callable[[dict | list], None]) -> None:
    path = data / f"{name}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")


def reference_problems(data: Path) -> list[str]:
    """The full_reference problems lint finds in a data directory (the other checks aside)."""
    kb = read_knowledge(data)
    return [f"{p.where}: {p.message}"
            for p in check_full_references(kb, list(rules().values()))]


# -- the shipped sources ---------------------------------------------------------------------------
def test_lint_has_the_full_reference_check() -> None:
    assert "full_reference" in CHECKS


def test_every_shipped_source_has_its_full_reference(tmp_path: Path) -> None:
    data = tuned_copy(tmp_path, "sources", "ifompt-2020")  # an unchanged copy
    assert reference_problems(data) == []
    for key, source in catalogue().sources.items():
        assert source.authors and source.title and source.venue, key
        assert source.doi or source.url or source.not_known, key
        if source.kind not in ("article", "heuristic"):
            assert source.doi or source.url, key
        assert source.year is not None or source.not_known, key


def test_the_known_references_are_cited_as_published() -> None:
    sources = catalogue().sources
    assert sources["ifompt-2020"].doi == "10.2519/jospt.2020.9971"
    assert sources["nice-ng59"].url == "https://www.nice.org.uk/guidance/ng59"
    assert sources["warwick-fai-2016"].doi == "10.1136/bjsports-2016-096743"
    assert sources["certainty-factors"].doi == "10.1016/0025-5564(75)90047-4"
    assert sources["ifompt-2020"].reference() == (
        "Finucane LM, Downie A, Mercer C, et al. International Framework for Red Flags for "
        "Potential Serious Spinal Pathologies. J Orthop Sports Phys Ther 50(7):350-372 (IFOMPT "
        "framework); 2020. doi:10.2519/jospt.2020.9971")


def test_the_article_says_it_has_no_url_rather_than_inventing_one() -> None:
    articles = [s for s in catalogue().sources.values() if s.kind == "article"]
    assert articles
    for source in articles:
        assert source.url is None and source.doi is None
        assert "no URL" in source.not_known
        assert source.title.startswith("Hip + Low Back Pain")


def test_every_evidence_weight_is_hipscreens_heuristic_and_the_article_keeps_the_link() -> None:
    cat = catalogue()
    for key, entry in cat.evidence.items():
        cited = cat.sources[entry.source]
        assert cited.kind == "article", key  # the article links the sign to the deficit
        assert cited.weights == "hipscreen-heuristic", key  # the number is ours
    assert cat.sources["hipscreen-heuristic"].kind == "heuristic"


def test_numbers_no_reference_gives_cite_the_heuristic() -> None:
    thresholds = catalogue().thresholds
    ours = {"severe_pain_worst_week", "episode_not_settling_weeks", "rotation_loading_age_below",
            "hip_ir_limited_below_degrees", "hip_ir_side_difference_degrees",
            "likely_certainty", "possible_certainty", "older_adult_age_at_least",
            "aaa_age_at_least"}
    assert {k for k, t in thresholds.items() if t.source == "hipscreen-heuristic"} == ours
    assert {k for k, t in thresholds.items() if t.source == "nice-ng65"} == {
        "ibp_onset_age_below", "ibp_early_onset_age_below", "ibp_duration_weeks",
        "ibp_criteria_at_least"}
    assert {k for k, t in thresholds.items() if t.source == "nice-ng59"} == {
        "young_back_pain_age_below"}  # NG59 covers people aged 16 and over
    assert "Morning stiffness alone is not one" in catalogue().sources["nice-ng65"].text


def test_no_hip_rule_cites_the_spinal_red_flag_framework() -> None:
    hip_stages = {"interpret", "deficits", "prescribe"}
    assert [r.id for r in rules().values()
            if r.stage in hip_stages and r.source == "ifompt-2020"] == []


def test_superseded_duplicates_are_kept_but_not_cited() -> None:
    cat = catalogue()
    duplicates = {k: s.superseded_by for k, s in cat.sources.items() if s.superseded_by}
    assert duplicates == {"uk-ces-pathway": "girft-ces-2023", "nice-cks-scfe": "nice-cks-limp",
                          "nice-cks-septic-arthritis": "bsr-boa-hot-joint"}
    cited = {r.source for r in rules().values()}
    cited |= {e.source for table in (cat.findings, cat.deficits, cat.drills, cat.red_flags,
                                     cat.precautions, cat.thresholds, cat.evidence,
                                     cat.movement_tests) for e in table.values()}
    cited |= {d.dose.source for d in cat.drills.values()} | {i.source for i in cat.safety_net}
    assert not cited & set(duplicates)


# -- the model ------------------------------------------------------------------------------------
GUIDELINE = {"kind": "guideline", "authors": "NICE", "year": 2016, "title": "A guideline",
             "venue": "NICE guideline NG00", "url": "https://www.nice.org.uk/guidance/ng00",
             "section": "1.1", "text": "What it says, in plain words."}


def test_the_model_needs_a_link_for_a_published_source() -> None:
    assert Source.model_validate(GUIDELINE).url
    with pytest.raises(ValueError, match="needs a doi or a url"):
        Source.model_validate({**GUIDELINE, "url": None})
    with pytest.raises(ValueError, match="needs a doi or a url"):
        Source.model_validate({**GUIDELINE, "url": None, "not_known": "We lost the address."})
    with pytest.raises(ValueError, match="pattern"):
        Source.model_validate({**GUIDELINE, "url": "nice.org.uk"})
    with pytest.raises(ValueError, match="pattern"):
        Source.model_validate({**GUIDELINE, "url": None, "doi": "doi:10.1000/x"})
    with pytest.raises(ValueError, match="Extra inputs"):
        Source.model_validate({**GUIDELINE, "publisher": "NICE"})
    with pytest.raises(ValueError, match="Field required"):
        Source.model_validate({k: v for k, v in GUIDELINE.items() if k != "authors"})


def test_the_model_lets_only_the_article_or_a_heuristic_go_without_a_link_and_says_why() -> None:
    article = {**GUIDELINE, "kind": "article", "url": None, "year": None}
    with pytest.raises(ValueError, match="not_known"):
        Source.model_validate(article)
    assert Source.model_validate({**article, "not_known": "Copied without its address."})
    with pytest.raises(ValueError, match="not_known is only for"):
        Source.model_validate({**GUIDELINE, "not_known": "Nothing is missing here."})


# -- lint on a broken copy of sources.yaml ---------------------------------------------------------
@pytest.mark.parametrize(("key", "change", "expected"), [
    ("ifompt-2020", {"doi": None},
     "sources.yaml: entry 'ifompt-2020': not a full reference: no DOI or URL"),
    ("nice-ng59", {"authors": "TBD"},
     "sources.yaml: entry 'nice-ng59': not a full reference: authors 'TBD' is a placeholder"),
    ("nice-ng65", {"url": "www.nice.org.uk"},
     "sources.yaml: entry 'nice-ng65': not a full reference: url 'www.nice.org.uk' is not a web"),
    ("psfs", {"doi": "doi:10.3138/ptc.47.4.258"},
     "sources.yaml: entry 'psfs': not a full reference: doi 'doi:10.3138/ptc.47.4.258' is not"),
    ("article-hinge", {"not_known": None},
     "sources.yaml: entry 'article-hinge': not a full reference: no DOI, URL or year and no "
     "not_known saying why"),
    ("acsm-2021", {"year": "soon"},
     "sources.yaml: entry 'acsm-2021': not a full reference: year 'soon' is not a year"),
    ("article-rotation", {"weights": None},
     "evidence.yaml: entry 'limited_ir_suggests_poor_ir_control', field 'source': the weight 0.6 "
     "is a number 'article-rotation' does not give"),
    ("article-hip-stability", {"weights": "nice-ng59"},
     "sources.yaml: entry 'article-hip-stability', field 'weights': 'nice-ng59' is not a source "
     "of kind heuristic"),
])
def test_lint_reports_a_source_without_a_full_reference(tmp_path: Path, key: str, change: dict,
                                                        expected: str) -> None:
    data = tuned_copy(tmp_path, "sources", key, **change)
    found = reference_problems(data)
    assert any(line.startswith(expected) for line in found), found


def test_hipscreen_lint_fails_on_a_broken_copy_of_sources_yaml(tmp_path: Path) -> None:
    data = tuned_copy(tmp_path, "sources", "warwick-fai-2016", doi=None, authors="?")
    report = lint(data, CASE_DIR)
    found = [f"{p.where}: {p.message}" for p in report.problems if p.check == "full_reference"]
    assert found == [
        "sources.yaml: entry 'warwick-fai-2016': not a full reference: authors '?' is a "
        "placeholder",
        "sources.yaml: entry 'warwick-fai-2016': not a full reference: no DOI or URL (only the "
        "article and hipscreen's own heuristics may go without one)",
        "sources.yaml: entry 'warwick-fai-2016': not a full reference: no DOI, URL or year and "
        "no not_known saying why (never invent one)"]
    assert not report.ok


def test_lint_reports_a_source_with_a_reference_field_left_out(tmp_path: Path) -> None:
    data = tuned_copy(tmp_path, "sources", "nice-ng226")
    edit(data, "sources", lambda d: [d["nice-ng226"].pop(name) for name in ("venue", "year")])
    found = reference_problems(data)
    assert "sources.yaml: entry 'nice-ng226': not a full reference: no venue" in found
    assert any(line.startswith("sources.yaml: entry 'nice-ng226': not a full reference: no year")
               for line in found)
    with pytest.raises(CatalogueError, match=r"sources.yaml: entry 'nice-ng226', field 'venue'"):
        load_catalogue(data)


def test_lint_reports_a_number_cited_to_the_article(tmp_path: Path) -> None:
    data = tuned_copy(tmp_path, "thresholds", "severe_pain_worst_week", source="article-intro")
    assert reference_problems(data) == [
        "thresholds.yaml: entry 'severe_pain_worst_week', field 'source': the article gives no "
        "numbers: cite the reference that gives this one, or hipscreen-heuristic"]


def test_lint_reports_a_citation_of_a_superseded_duplicate(tmp_path: Path) -> None:
    data = tuned_copy(tmp_path, "sources", "uk-ces-pathway")
    edit(data, "safety_net", lambda items: items[0].update(source="uk-ces-pathway"))
    assert reference_problems(data) == [
        "safety_net.yaml: entry #1, field 'source': cites 'uk-ces-pathway', a duplicate kept as "
        "vocabulary: cite 'girft-ces-2023' instead"]
    edit(data, "sources", lambda d: d["uk-ces-pathway"].update(superseded_by="nice-cks-scfe"))
    assert any("field 'superseded_by': 'nice-cks-scfe' is not a current source" in line
               for line in reference_problems(data))
