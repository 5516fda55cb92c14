"""Outputs that are safe to make (issue 18, items 3, 6, 7): every file the CLI writes is written
atomically, never onto its input nor through a symlink, owner-only when it holds a person's data;
a person's words come out as text (never Markdown, Typst or terminal commands); control and bidi
characters are refused at input; a read from a database that does not exist writes nothing."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from hipscreen.cli import main
from hipscreen.outfile import OutputPathError, atomic_path, check_output, write_file
from hipscreen.plaintext import check_plain, markdown_text, visible

ROOT = Path(__file__).resolve().parents[1]
HINGE = {"safety": {}, "age": 41, "activities": ["lifting"],
         "symptoms": {"pain_now": 2, "pain_worst_week": 4, "worse_with": ["bending_lifting"]},
         "movement": {"hinge_faults": ["back_rounds"]}}
IMAGE = "run ![t](http://other-host.test/p.png)"
HIDDEN = {"NUL": "\x00", "ESC": "\x1b[31m", "BEL": "\x07", "DEL": "\x7f", "C1 CSI": "\x9b",
          "RLO": "\u202e", "LRE": "\u202a", "PDF": "\u202c", "RLI": "\u2067", "PDI": "\u2069",
          "ZWSP": "\u200b", "BOM": "\ufeff", "LINE SEPARATOR": "\u2028", "unit separator": "\x1f"}


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refuses an option value
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def no_temp_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.fixture
def intake(tmp_path) -> Path:
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(HINGE))
    return path


@pytest.fixture
def table(tmp_path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("id,age,safety.fever_or_unwell\na,34,no\nb,70,yes\n")
    return path


# -- writing onto an input, or through a symlink, is refused ---------------------------------------
def test_batch_onto_its_own_input_is_refused_and_the_input_is_untouched(capsys, table):
    before, mtime = table.read_bytes(), table.stat().st_mtime_ns
    for same in (table, table.parent / "." / table.name, table.parent / "x" / ".." / table.name):
        code, out, err = run(capsys, "batch", table, "-o", same, "--jobs", "1")
        assert code == 2, err
        assert "is the input" in err and "refusing to write the output over its own input" in err
        assert "Traceback" not in err and "screened" not in out
    assert table.read_bytes() == before and table.stat().st_mtime_ns == mtime
    no_temp_files(table.parent)


def test_a_hard_link_to_the_input_is_the_input(capsys, table):
    other = table.parent / "other.csv"
    os.link(table, other)
    code, _, err = run(capsys, "batch", table, "-o", other, "--jobs", "1")
    assert code == 2 and "is the input" in err
    assert table.read_text().startswith("id,age")


def test_screen_onto_its_own_intake_is_refused(capsys, intake):
    before = intake.read_bytes()
    for fmt in ("markdown", "json", "pdf"):
        code, _, err = run(capsys, "screen", intake, "--format", fmt, "-o", intake)
        assert code == 2 and "is the input" in err
    assert intake.read_bytes() == before


@pytest.mark.parametrize("command", ["batch", "screen", "export", "template"])
def test_an_output_that_is_a_symlink_is_refused_not_followed(capsys, tmp_path, table, intake,
                                                              command):
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / ("out.md" if command == "screen" else "out.csv")
    link.symlink_to(target)
    db = tmp_path / "records.sqlite3"
    if command == "export":
        assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
    argv = {"batch": ["batch", table, "-o", link, "--jobs", "1"],
            "screen": ["screen", intake, "--format", "markdown", "-o", link],
            "export": ["export", "--db", db, "-o", link],
            "template": ["batch", "--template", "-o", link]}[command]
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert "is a symbolic link; refusing to write through it" in err
    assert link.is_symlink() and target.read_text() == "keep me\n"
    no_temp_files(tmp_path)


def test_a_dangling_symlink_is_refused_too(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(OutputPathError, match="symbolic link"):
        write_file(link, b"x")
    assert not (tmp_path / "nowhere.csv").exists()


def test_a_folder_or_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output(tmp_path)
    with pytest.raises(OutputPathError, match=r"cannot write \(No such file or directory\)"):
        write_file(tmp_path / "missing" / "out.md", b"x")


# -- atomic: a failure or a kill leaves the old output whole ---------------------------------------
def test_a_failed_write_leaves_the_old_output_and_no_temporary_file(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b"old, whole\n")
    with pytest.raises(RuntimeError), atomic_path(out) as temp:
        temp.write_bytes(b"half of the new")
        raise RuntimeError("disk full")
    assert out.read_bytes() == b"old, whole\n"
    no_temp_files(tmp_path)


def test_a_batch_that_fails_while_writing_keeps_the_old_output(capsys, tmp_path, table,
                                                               monkeypatch):
    import pandas as pd

    out = tmp_path / "out.csv"
    out.write_bytes(b"old output\n")

    def half(self, path, **kwargs):
        Path(path).write_text("id,triage\na,self_")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half)
    code, _, err = run(capsys, "batch", table, "-o", out, "--jobs", "1")
    assert code == 2 and "No space left on device" in err
    assert out.read_bytes() == b"old output\n"
    no_temp_files(tmp_path)


def _big_input(path: Path, rows: int, id_chars: int) -> None:
    """A table whose output is large (each row's long id is copied to it) but quick to screen."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "age", "safety.fever_or_unwell"])
        for i in range(rows):
            writer.writerow([f"row{i}-" + "x" * id_chars, 34, "no"])


def test_a_batch_killed_while_writing_leaves_the_old_output_whole(tmp_path):
    """SIGKILL while the output is being written (the temporary file has some bytes, not all):
    the old output is byte for byte what it was, and nothing left behind looks like the output."""
    source = tmp_path / "big.csv"
    _big_input(source, rows=400, id_chars=100_000)  # about 40 MB of output
    out = tmp_path / "out.csv"
    old = b"id,triage\nthe-old-output,self_care\n" * 1000
    out.write_bytes(old)
    out.chmod(0o600)
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "hipscreen.cli", "batch", str(source), "-o", str(out), "--jobs", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed_at = None
    deadline = time.monotonic() + 120
    first = (out.stat().st_size, out.stat().st_mtime_ns)

    def writing() -> int:
        """Bytes written so far: of a new file in the folder, or of the output itself."""
        with contextlib.suppress(FileNotFoundError):
            now = out.stat()
            if (now.st_size, now.st_mtime_ns) != first:
                return max(now.st_size, 1)
        return max([p.stat().st_size for p in tmp_path.iterdir()
                    if p.name not in ("big.csv", "out.csv")] or [0])

    try:
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):  # a file renamed while we looked
                if (size := writing()) > 0:
                    os.kill(process.pid, signal.SIGKILL)
                    killed_at = size
                    break
            time.sleep(0.0005)
    finally:
        if process.poll() is None and killed_at is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
    assert killed_at is not None, "the batch ended before it could be killed while writing"
    assert process.returncode == -signal.SIGKILL
    assert out.read_bytes() == old  # the old output, whole
    left = sorted(p.name for p in tmp_path.iterdir())
    extra = [name for name in left if name not in ("big.csv", "out.csv")]
    # a killed process cannot remove its temporary file: it is hidden, named .part, and partial
    assert all(name.startswith(".out.csv.") and name.endswith(".part") for name in extra), extra
    assert all((tmp_path / name).stat().st_size < 40 * 100_000 for name in extra)
    # the next run replaces the output as a whole
    small = tmp_path / "small.csv"
    small.write_text("id,age,safety.fever_or_unwell\nnew,34,no\n")
    assert subprocess.run([sys.executable, "-m", "hipscreen.cli", "batch", str(small), "-o",
                           str(out), "--jobs", "1"], cwd=tmp_path, env=env,
                          capture_output=True).returncode == 0
    assert out.read_text().splitlines()[1].startswith("new,")


# -- files holding personal data are 0600 ---------------------------------------------------------
def test_outputs_with_personal_data_are_owner_only(capsys, tmp_path, table, intake):
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        for suffix in (".csv", ".jsonl", ".parquet"):
            out = tmp_path / f"screened{suffix}"
            out.write_text("old")
            out.chmod(0o644)  # replaced, not kept
            assert run(capsys, "batch", table, "-o", out, "--jobs", "1")[0] == 0
            assert mode_of(out) == 0o600, suffix
        for fmt, name in (("text", "r.txt"), ("markdown", "r.md"), ("json", "r.json"),
                          ("pdf", "r.pdf"), ("svg", "r.svg"), ("fhir", "r.fhir.json")):
            code, _, err = run(capsys, "screen", intake, "--format", fmt, "-o", tmp_path / name)
            assert code == 0, err
            assert mode_of(tmp_path / name) == 0o600, fmt
        db = tmp_path / "records.sqlite3"
        assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
        for what in ("intakes", "records"):
            for suffix in (".csv", ".jsonl", ".parquet"):
                out = tmp_path / f"export-{what}{suffix}"
                code, _, err = run(capsys, "export", "--db", db, "-o", out, "--what", what)
                assert code == 0, err
                assert mode_of(out) == 0o600, (what, suffix)
        # the template holds no one's data: the usual permissions
        assert run(capsys, "batch", "--template", "-o", tmp_path / "template.csv")[0] == 0
        assert mode_of(tmp_path / "template.csv") == 0o666
    finally:
        os.umask(old_umask)
    no_temp_files(tmp_path)


def test_export_refuses_to_write_over_its_database(capsys, tmp_path, intake):
    db = tmp_path / "records.csv"  # a SQLite file with an unlucky name
    assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
    before = db.read_bytes()
    code, _, err = run(capsys, "export", "--db", db, "-o", db)
    assert code == 2 and "is the input" in err
    assert db.read_bytes() == before


# -- reads of a database that does not exist ------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["history", "--person", "p-1"], ["history", "--person", "p-1", "--all"], ["queue"],
    ["show", "1"], ["status", "1", "reviewed", "--by", "JS"], ["delete", "1", "--by", "JS", "--yes"],
    ["export", "-o", "{out}"], ["export", "-o", "{out}", "--what", "records"],
    ["checkin", "{checkin}", "--person", "p-1"], ["checkin", "{checkin}", "--person", "p-1",
                                                  "--dry-run"],
])
def test_a_read_from_a_missing_database_exits_2_and_writes_nothing(capsys, tmp_path, argv):
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text(yaml.safe_dump({"safety": {}, "pain_now": 1, "pain_worst_week": 2}))
    db = tmp_path / "nowhere" / "records.sqlite3"
    out = tmp_path / "export.csv"
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.format(out=out, checkin=checkin) for a in argv]
    code, stdout, err = run(capsys, *argv, "--db", db)
    assert code == 2, err
    assert "does not exist: nothing has been saved there yet" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no export, no database
    assert not out.exists() and not db.parent.exists()


# -- a person's words are refused at input when they hide or control --------------------------------
@pytest.mark.parametrize("name", list(HIDDEN))
def test_hidden_characters_in_a_psfs_activity_are_refused_naming_the_field(capsys, tmp_path,
                                                                           name):
    checkin = tmp_path / "checkin.json"
    checkin.write_text(json.dumps({"safety": {}, "pain_now": 1, "pain_worst_week": 2,
                                   "psfs": {f"run{HIDDEN[name]}ning": 3}}))
    code, out, err = run(capsys, "checkin", checkin, "--previous", checkin.parent / "x.yaml")
    assert code == 2 and out == ""
    assert "field 'psfs': the activity name 'run\\" in err and "are not accepted" in err
    assert HIDDEN[name] not in err  # named as U+XXXX, never printed raw


def test_hidden_characters_in_a_yaml_checkin_are_refused(capsys, tmp_path):
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text('safety: {}\npain_now: 1\npain_worst_week: 2\npsfs: {"a\\e[2Jb\\u202e": 3}\n')
    code, _, err = run(capsys, "checkin", checkin, "--person", "p-1", "--db", tmp_path / "x.db")
    assert code == 2
    assert "U+001B (ESC)" in err and "U+202E (RIGHT-TO-LEFT OVERRIDE)" in err
    assert "\x1b" not in err and "\u202e" not in err


def test_tabs_and_line_breaks_in_an_activity_are_one_space(capsys, tmp_path):
    from hipscreen.knowledge.checkin import CheckIn

    checkin = CheckIn.model_validate({"safety": {}, "pain_now": 1, "pain_worst_week": 2,
                                      "psfs": {"running\t5 km\nfast": 3}})
    assert checkin.psfs == {"running 5 km fast": 3}


@pytest.mark.parametrize(("option", "value"), [
    ("--person", "p\x1b[31m1"), ("--person", "p\u202e1"), ("--person", "p\x001"),
    ("--person", "p\x1f1"), ("--by", "J\u200bS"), ("--psfs", "run\x1bning=3"),
    ("--psfs", "run\u2066ning=3"),
])
def test_hidden_characters_in_screen_options_are_refused(capsys, tmp_path, intake, option, value):
    db = tmp_path / "records.sqlite3"
    code, out, err = run(capsys, "screen", intake, "--save", "--db", db, option, value)
    assert code == 2 and out == ""
    assert option in err and "are not accepted" in err
    assert not db.exists()


@pytest.mark.parametrize(("argv", "value"), [
    (["status", "1", "reviewed", "--by", "JS", "--note"], "ok\x1b]0;owned\x07"),
    (["status", "1", "reviewed", "--by", "JS", "--note"], "fine \u202egnp.exe"),
    (["delete", "1", "--by", "JS", "--yes", "--reason"], "dup\x00licate"),
    (["history", "--person"], "p\u2067-1"),
])
def test_hidden_characters_in_record_options_are_refused(capsys, tmp_path, intake, argv, value):
    db = tmp_path / "records.sqlite3"
    assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
    code, _, err = run(capsys, *argv, value, "--db", db)
    assert code == 2 and argv[-1] in err and "are not accepted" in err
    code, out, _ = run(capsys, "queue", "--db", db, "--format", "json")
    assert [(q["record_id"], q["status"]) for q in json.loads(out)] == [(1, "new")]


def test_a_note_may_have_lines(capsys, tmp_path, intake):
    db = tmp_path / "records.sqlite3"
    assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
    code, _, err = run(capsys, "status", "1", "reviewed", "--by", "JS", "--note",
                       "called back\n\tno new symptoms", "--db", db)
    assert code == 0, err


def test_check_plain_and_visible():
    assert check_plain("running 5 km, ça va 跑步", "x") == "running 5 km, ça va 跑步"
    for char in HIDDEN.values():
        with pytest.raises(ValueError, match="^f: contains U\\+"):
            check_plain(f"a{char}b", "f")
    assert check_plain("a\nb\tc", "f", lines=True) == "a\nb\tc"
    with pytest.raises(ValueError):
        check_plain("a\nb", "f")
    assert visible("a\x1b[31mb\u202ec\nd") == "a\\x1b[31mb\\u202ec\nd"
    assert visible("a\nb\tc", lines=False) == "a\\x0ab\\x09c"


# -- a person's words come out as text -----------------------------------------------------------
def test_markdown_text_is_never_markup():
    text = markdown_text("![t](http://h.test/p.png) <img src=x> **b** :red[x] # h `c` $m$ www.x.y a@b.c")
    assert re.search(r"(?<!\\)[!\[\]()<>*`$#:@_]", text) is None  # every one escaped
    assert "http\\:\\/\\/" not in text and "www\\." not in text  # not autolinked by GFM
    # what a Markdown reader shows: the same characters
    shown = text.replace("\u2060", "").replace("\\", "")
    assert shown == "![t](http://h.test/p.png) <img src=x> **b** :red[x] # h `c` $m$ www.x.y a@b.c"


@pytest.fixture
def saved_with_words(capsys, tmp_path, intake) -> Path:
    """A person with a screening and a check-in whose PSFS activity is a Markdown image."""
    db = tmp_path / "records.sqlite3"
    code, _, err = run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db,
                       "--psfs", f"{IMAGE}=6")
    assert code == 0, err
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text(yaml.safe_dump({"safety": {}, "pain_now": 1, "pain_worst_week": 3,
                                       "psfs": {IMAGE: 2}}))
    code, out, err = run(capsys, "checkin", checkin, "--person", "p-1", "--db", db,
                         "--format", "markdown")
    assert code == 0, err
    assert "![" not in out and "](http" not in out
    assert "PSFS 'run \\!\\[t\\]\\(http\\:\u2060\\/\\/other\\-host\\.test\\/p\\.png\\)': 6 -> 2" in out
    return db


def test_the_checkin_markdown_note_escapes_the_persons_words(capsys, saved_with_words):
    for argv in (["show", "2", "--format", "markdown"],):
        code, out, _ = run(capsys, *argv, "--db", saved_with_words)
        assert code == 0 and "![" not in out and "](http" not in out and "\\!\\[t\\]" in out


def test_the_text_outputs_show_the_words_as_written(capsys, saved_with_words):
    code, out, _ = run(capsys, "show", "2", "--db", saved_with_words)
    assert code == 0 and f"PSFS '{IMAGE}': 6 -> 2" in out
    code, out, _ = run(capsys, "history", "--person", "p-1", "--db", saved_with_words)
    assert code == 0 and f"{IMAGE}=2" in out


def _store_raw(db: Path, **changes) -> None:
    """What an older version may have saved without checking: written straight to the table."""
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            row = conn.execute(sa.text("SELECT summary FROM records WHERE id = 1")).scalar_one()
            summary = json.loads(row) if isinstance(row, str) else row
            summary["psfs"] = changes["psfs"]
            conn.execute(sa.text("UPDATE records SET summary = :s, person = :p, made_by = :m "
                                 "WHERE id = 1"),
                         {"s": json.dumps(summary), "p": changes["person"], "m": changes["made_by"]})
    finally:
        engine.dispose()


def test_history_queue_and_show_never_print_a_raw_control_character(capsys, tmp_path, intake):
    db = tmp_path / "records.sqlite3"
    assert run(capsys, "screen", intake, "--save", "--person", "p-1", "--db", db)[0] == 0
    evil = "a\x1b]0;owned\x07\x1b[2J\x00\u202eb\x9b"
    _store_raw(db, psfs={f"run{evil}": 3}, person="p-1", made_by=f"J{evil}")
    for argv in (["history", "--person", "p-1"], ["history", "--person", "p-1", "--format", "json"],
                 ["history", "--person", "p-1", "--all"], ["show", "1"],
                 ["show", "1", "--format", "markdown"], ["show", "1", "--format", "json"],
                 ["queue"], ["queue", "--format", "json"]):
        code, out, err = run(capsys, *argv, "--db", db)
        assert code == 0, (argv, err)
        printed = out + err
        assert not any(c in printed for c in "\x1b\x07\x00\u202e\x9b"), (argv, printed[:300])
    code, out, _ = run(capsys, "history", "--person", "p-1", "--db", db)
    assert "runa\\x1b]0;owned\\x07\\x1b[2J\\x00\\u202eb\\x9b=3" in out


def test_the_pdf_places_a_persons_words_as_text(tmp_path):
    """Typst never reads a person's words as markup: they reach the template as JSON data."""
    from pypdf import PdfReader

    from hipscreen import screen
    from hipscreen.pdf import report_pdf

    words = "*bold* _em_ #strong[x] $x^2$ <lab> @ref `raw` \\ #eval(\"1+1\") = Heading"
    for report in ("clinician", "plan"):
        pdf = report_pdf(screen(HINGE), report, person=words)
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        flat = " ".join(text.split())
        for piece in ("*bold*", "_em_", "#strong[x]", "$x^2$", "<lab>", "@ref", "`raw`",
                      '#eval("1+1")', "= Heading"):
            assert piece in flat, (report, piece, flat[:400])
