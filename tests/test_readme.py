"""The README's worked example is real: its intake, screened now, prints the lines it shows; and
every file of the repository the README and docs/*.md name exists."""

import re
from pathlib import Path

import pytest

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


# -- every file the README and docs/ name exists -------------------------------------------------
ROOT = README.parent
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
EXTENSIONS = frozenset({"py", "md", "yaml", "yml", "toml", "json", "svg", "typ", "po", "lock", "txt",
                        "csv", "ndjson", "jsonl", "sh", "cfg", "ini", "xml", "js", "html", "whl"})
NOT_IN_THE_REPOSITORY = {  # named on purpose, made by someone or something else
    "dist/hipscreen-0.1.0-py3-none-any.whl": "what `uv build` writes",
    "test-output/screenshots/": "where the browser tests keep screenshots when asked (CI)",
    ".streamlit/secrets.toml": "Streamlit's secrets file, written by whoever sets up a login",
}
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_PATH = re.compile(r"^[\w.+-][\w./+-]*$")  # no URL, glob, placeholder, option or home/tmp path
_PROSE_PATH = re.compile(r"(?<![\w/.~-])((?:\.?[\w-]+/)+[\w.-]*)")
_NOT_SOURCE = {".git", ".venv", ".hypothesis", ".pytest_cache", ".ruff_cache", "dist", "build"}


def _tracked_dirs() -> set[str]:
    return {p.name for p in ROOT.iterdir()
            if p.is_dir() and p.name not in _NOT_SOURCE and not p.name.endswith(".egg-info")}


def named_paths(doc: Path) -> set[str]:
    """The repository paths `doc` names: in inline code, every word with a `/` (a whole span that
    is one file name with a known extension too), every relative link, and in the prose and the
    code blocks every path that starts with a top-level folder of the repository."""
    text = doc.read_text(encoding="utf-8")
    found = set()
    for span in _CODE.findall(_FENCE.sub("", text)):
        words = span.split()
        for word in (w.strip("\"'()[],;") for w in words):
            if "://" in word or "..." in word or not _PATH.match(word) or not re.search("[A-Za-z]", word):
                continue
            if "/" in word or (len(words) == 1 and "." in word.lstrip(".")
                               and word.rsplit(".", 1)[1] in EXTENSIONS):
                found.add(word)
    found |= {link.split("#")[0] for link in _LINK.findall(text)
              if "://" not in link and not link.startswith(("#", "mailto:"))}
    tops = _tracked_dirs()
    found |= {m.group(1).rstrip(".") for m in _PROSE_PATH.finditer(text)
              if m.group(1).split("/")[0] in tops}
    return found - {""}


def _exists(path: str, doc: Path) -> bool:
    if "/" not in path:  # a bare file name (`sources.yaml`): some file of the repository has it
        return (ROOT / path).exists() or any(
            True for top in _tracked_dirs() for _ in (ROOT / top).rglob(path))
    # from the repository, the document's folder, or inside the package (`hipscreen/documents.py`)
    bases = (ROOT, doc.parent, ROOT / "src", ROOT / "src" / "hipscreen")
    return any((base / path).exists() for base in bases)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_file_the_docs_name_exists(doc):
    named = named_paths(doc)
    missing = sorted(p for p in named if p not in NOT_IN_THE_REPOSITORY and not _exists(p, doc))
    assert not missing, f"{doc.name} names files that do not exist: {missing}"


def test_the_path_finder_finds_paths_and_the_exceptions_are_still_named():
    names = named_paths(README)
    # what the README names in each of the three ways: inline code, a link, a code block
    assert {"tools/draw_pictures.py", "knowledge/data/pictures/", "docs/safety.md",
            "benchmarks/screen.py", "sources.yaml"} <= names
    assert not {n for n in names if "://" in n or n.startswith(("~", "/"))}
    still_named = set().union(*(named_paths(doc) for doc in DOCS))
    assert set(NOT_IN_THE_REPOSITORY) <= still_named, "an exception no document needs any more"
