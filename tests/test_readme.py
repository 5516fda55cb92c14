"""The README's worked example is real: its intake, screened now, prints the lines it shows."""

import re
from pathlib import Path

from hipscreen.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_screen_example_matches_the_cli(tmp_path, capsys):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"\$ cat intake.yaml\n(.*?)\n\n\$ uv run hipscreen screen intake.yaml\n(.*?)```",
                      text, re.S)
    assert block, "the README lost its worked example"
    intake, shown = block.groups()
    path = tmp_path / "intake.yaml"
    path.write_text(intake)
    assert main(["screen", str(path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    for line in shown.splitlines():
        if line.strip() and line.strip() != "...":
            assert line in printed, f"README shows a line the CLI no longer prints: {line!r}"


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "uv run hipscreen app" in text and "uv run pytest" in text
