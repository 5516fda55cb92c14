"""The generated reference (docs/reference.md) is current and documents every rule, drill,
red flag and command, so the docs cannot drift from the rule base."""

from pathlib import Path

from hipscreen.cli import command_help, main
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.reference import reference_markdown
from hipscreen.rules.registry import rules

DOC = Path(__file__).resolve().parent.parent / "docs" / "reference.md"


def test_reference_file_is_current():
    assert DOC.read_text(encoding="utf-8") == reference_markdown(command_help()), (
        "docs/reference.md is out of date: run `uv run hipscreen docs`")


def test_reference_names_every_rule_drill_red_flag_and_command():
    text = reference_markdown(command_help())
    for rule in rules().values():
        assert f"### `{rule.id}`" in text and rule.text in text
    for drill in catalogue().drills:
        assert f"| `{drill}` |" in text
    for flag in catalogue().red_flags:
        assert f"| `{flag}` |" in text
    for command in ("screen", "batch", "schema", "app", "cases", "lint", "docs"):
        assert f"`hipscreen {command}`" in text


def test_docs_check_reports_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "reference.md"
    stale.write_text("old\n")
    assert main(["docs", "-o", str(stale), "--check"]) == 1
    assert main(["docs", "-o", str(stale)]) == 0
    assert main(["docs", "-o", str(stale), "--check"]) == 0
