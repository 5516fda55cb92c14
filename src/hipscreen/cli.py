"""The `hipscreen` command: one argparse group, every subcommand defined here.

Each subcommand imports what it runs when it runs: `hipscreen --help` loads neither pydantic nor
the knowledge base, `screen` loads the intake model, the catalogue and the rule engine but not
pandas (batch and the tables), typst and graphviz (pdf, svg), fhir.resources (FHIR) or
SQLAlchemy (records), and the Streamlit app is imported only by `hipscreen app`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hipscreen.documents import (
    MAX_BYTES,
    InputError,
    IntakeInputError,
    OutputError,
    clip,
    describe_validation_error,
    load_mapping,
    read_text,
)
from hipscreen.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    LanguageError,
    _,
    check_language,
    translate,
    use_language,
)
from hipscreen.renderers import RENDERERS

if TYPE_CHECKING:
    from hipscreen.knowledge.intake import Intake

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
CASES_PATH = "cases"
REFERENCE_PATH = Path("docs") / "reference.md"


def read_intake(path: str, *, max_bytes: int = MAX_BYTES) -> Intake:
    """Read an intake from a YAML or JSON file, or '-' for stdin: the intake itself, or a FHIR
    QuestionnaireResponse (recognised by its resourceType). Raise InputError when bad."""
    from pydantic import ValidationError

    from hipscreen.knowledge.intake import Intake

    where = "stdin" if path == "-" else path
    text = read_text(path, max_bytes=max_bytes, stdin=sys.stdin)
    data = load_mapping(text, where, expected="intake fields", max_bytes=max_bytes)
    if "resourceType" in data:
        from hipscreen.fhir import intake_from_response

        return intake_from_response(data, where)
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, where, Intake)
    raise bad_intake(problems, data)


def bad_intake(problems: str, data: dict) -> IntakeInputError:
    """The error for a bad intake, led by the triage its other answers still raise (docs/design.md,
    "A red flag always wins"): an emergency or urgent action is never hidden by a bad field."""
    from hipscreen.render import red_flags_despite_errors
    from hipscreen.screening import screen_safety_first

    try:
        salvaged, _ = screen_safety_first(data)
    except Exception:  # the errors must still be shown
        salvaged = None
    return IntakeInputError(problems, salvaged, red_flags_despite_errors(salvaged))


# -- the subcommands ----------------------------------------------------------------------------
def _screen(args: argparse.Namespace) -> int:
    from hipscreen.explain import UnknownConclusion, why_not
    from hipscreen.render import why_not_text
    from hipscreen.screening import screen

    if args.output:  # refused before anything is screened or saved
        _check_output(args.output, inputs=[args.file])
    intake = read_intake(args.file, max_bytes=args.max_bytes)
    result = screen(intake)
    record_id = _save_screening(args, result) if getattr(args, "save", False) else None
    if args.why_not:
        try:
            answer = why_not(result, args.why_not)
        except UnknownConclusion as exc:
            raise InputError(f"--why-not: {clip(str(exc))}") from None
        print(why_not_text(answer))
        print(f"\n{translate(result.disclaimer)}")
        return EXIT_OK
    if args.format == "pdf":
        if not args.output:
            raise InputError("--format pdf: give the file to write with -o FILE.pdf")
        _write(args.output, RENDERERS[args.format](result, report=args.report), inputs=[args.file])
        print(_("wrote the {report} report to {path}", report=args.report, path=args.output))
        return EXIT_OK
    text = RENDERERS[args.format](result, release=args.fhir_release, person=args.person,
                                  record_id=record_id)
    if args.output:
        _write(args.output, text.encode("utf-8"), inputs=[args.file])
    else:
        print(text)
    return EXIT_OK


def _check_output(path: str, *, inputs=()) -> None:
    """Refuse an output that is one of the inputs, a symlink or a folder (InputError, exit 2)."""
    from hipscreen.outfile import check_output

    check_output(path, inputs)


def _write(path: str, data: bytes, *, inputs=(), private: bool = True) -> None:
    """Every file the CLI writes goes through here or `hipscreen.outfile`: atomically (a temporary
    file in the same folder, synced, renamed into place), never onto one of `inputs` nor through
    a symlink, and owner-only (0600) unless `private` is False. InputError (exit 2) naming the
    path when it must not or cannot be written."""
    from hipscreen.outfile import write_file

    write_file(path, data, inputs=inputs, private=private)


FHIR_PRINTS = {"questionnaire": "the intake Questionnaire",
               "checkin-questionnaire": "the check-in Questionnaire",
               "codesystems": "the CodeSystems"}


def _fhir(args: argparse.Namespace) -> int:
    from hipscreen import fhir

    write = {"questionnaire": fhir.questionnaire_json,
             "checkin-questionnaire": fhir.checkin_questionnaire_json,
             "codesystems": fhir.code_systems_json}[args.what]
    text = write(release=args.fhir_release, base=args.canonical_base)
    if args.output:  # a form or a terminology: no one's personal data
        _write(args.output, text.encode("utf-8"), private=False)
        print(f"wrote {FHIR_PRINTS[args.what]} ({args.fhir_release}) to {args.output}")
    else:
        print(text)
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from hipscreen.batch import BatchInputError, screen_file, write_template

    try:
        if args.template:
            write_template(args.output)
            print(f"wrote the batch template to {args.output}")
            return EXIT_OK
        if args.input is None:
            raise InputError("batch: give an input file (or --template)")
        summary = screen_file(args.input, args.output, jobs=args.jobs)
    except BatchInputError as exc:
        raise InputError(str(exc)) from None
    counts = ", ".join(f"{level} {n}" for level, n in summary.by_triage.items())
    print(f"screened {summary.screened} of {summary.rows} rows in {summary.seconds:.1f} s "
          f"({counts}); {summary.errors} rows with errors -> {args.output}")
    urgent = {level: n for level, n in summary.errors_by_triage.items()
              if level in ("emergency", "urgent")}
    if urgent:  # a red flag always wins: never lost among the errors
        print("WARNING: rows with errors that still raise a red flag: "
              + ", ".join(f"{level} {n}" for level, n in urgent.items())
              + " (their triage, action and red_flags are beside the error)", file=sys.stderr)
    from hipscreen.result import DISCLAIMER

    print(DISCLAIMER)
    return summary.exit_code


def _schema(args: argparse.Namespace) -> int:
    from hipscreen.knowledge.intake import Intake

    print(json.dumps(Intake.model_json_schema(), indent=2))
    return EXIT_OK


def _cases(args: argparse.Namespace) -> int:
    from hipscreen.cases import (
        EXIT_INVALID,
        CaseError,
        load_run,
        render,
        run_cases,
        save_run,
        summary_line,
    )

    try:
        baseline = load_run(args.baseline) if args.baseline else None
        report = run_cases(args.paths, only=args.only or (),
                           baseline=baseline, baseline_name=args.baseline or "baseline",
                           max_bytes=args.max_bytes)
        if args.save:
            save_run(report.cases, args.save, inputs=args.paths or [])
    except CaseError as exc:
        print(f"hipscreen cases: {exc}", file=sys.stderr)
        return EXIT_INVALID
    text = render(report, args.format, show_coverage=not args.no_coverage)
    if args.output:
        from hipscreen.outfile import OutputPathError, write_file

        try:  # case files are made-up people: the report is not private
            write_file(args.output, text, inputs=[*(args.paths or []), args.baseline, args.save],
                       private=False)
        except OutputPathError as exc:
            print(f"hipscreen cases: {exc}", file=sys.stderr)
            return EXIT_INVALID
        print(summary_line(report))
    else:
        sys.stdout.write(text)
    return report.summary.exit_code



def _lint(args: argparse.Namespace) -> int:
    from hipscreen.knowledge.catalogue import DATA_DIR
    from hipscreen.lint import lint, render_text

    report = lint(args.data or DATA_DIR, args.cases)
    if args.format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return EXIT_OK if report.ok else EXIT_FAIL


def _docs(args: argparse.Namespace) -> int:
    from hipscreen.reference import reference_markdown

    text = reference_markdown(command_help())
    if args.check:
        current = Path(args.output).read_text(encoding="utf-8") if Path(args.output).exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run `uv run hipscreen docs`")
            return 1
        print(f"{args.output} is up to date")
        return 0
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    _write(args.output, text.encode("utf-8"), private=False)
    print(f"wrote {args.output}")
    return 0



# -- records: saving, check-ins, history, the queue, export ---------------------------------------
@contextlib.contextmanager
def _record_errors():
    """A record request that cannot be met is bad input (exit 2); a database that cannot be
    reached or used is a failure (exit 1). Neither message ever holds a password."""
    from hipscreen.records import DatabaseError, RecordError

    try:
        yield
    except RecordError as exc:
        raise InputError(str(exc)) from None
    except DatabaseError as exc:
        raise OutputError(str(exc)) from None


def _store(args: argparse.Namespace):
    from hipscreen.records import RecordStore

    with _record_errors():
        return RecordStore(getattr(args, "db", None))


def _psfs_option(items: list[str] | None) -> dict[str, int] | None:
    """--psfs "running 5 km=6" (repeatable) as {activity: score}."""
    if not items:
        return None
    scores: dict[str, int] = {}
    for item in items:
        name, sep, score = item.rpartition("=")
        if not sep or not name.strip() or not score.strip().isdigit() or int(score) > 10:
            raise InputError(f"--psfs: expected ACTIVITY=SCORE with a score 0-10, got {clip(item)!r}")
        try:
            from hipscreen.plaintext import check_plain

            check_plain(name, "--psfs")
        except ValueError as exc:
            raise InputError(str(exc)) from None
        scores[name.strip()] = int(score)
    return scores


def _save_screening(args: argparse.Namespace, result) -> int:
    import secrets

    person = args.person or f"person-{secrets.token_hex(3)}"
    store = _store(args)
    with _record_errors():
        record_id = store.save_screening(result, person=person, psfs=_psfs_option(args.psfs),
                                         made_by=args.by)
    print(f"hipscreen: saved as record {record_id} for person {person!r} in {store.safe_url}",
          file=sys.stderr)
    return record_id


def read_checkin(path: str, *, max_bytes: int = MAX_BYTES):
    """Read a check-in from a YAML or JSON file, or '-' for stdin; InputError naming the field."""
    from pydantic import ValidationError

    from hipscreen.knowledge.checkin import CheckIn

    where = "stdin" if path == "-" else path
    text = read_text(path, max_bytes=max_bytes, stdin=sys.stdin)
    data = load_mapping(text, where, expected="check-in fields", max_bytes=max_bytes)
    if "resourceType" in data:  # a FHIR QuestionnaireResponse to the check-in Questionnaire
        from hipscreen.fhir import checkin_from_response

        return checkin_from_response(data, where)
    try:
        return CheckIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, where, CheckIn)) from None


def read_previous(path: str, *, max_bytes: int = MAX_BYTES):
    """The Baseline of a previous record given as a file: an intake (screened now), a screening's
    JSON result (`screen --format json`) or a check-in's (`checkin --format json`)."""
    from pydantic import ValidationError

    from hipscreen.result import Result
    from hipscreen.review import Baseline, Review
    from hipscreen.screening import screen

    text = read_text(path, max_bytes=max_bytes)
    data = load_mapping(text, path, expected="an intake, or a screening's or check-in's JSON "
                                               "result", max_bytes=max_bytes)
    data.pop("record_id", None)
    model = Review if "checkin" in data else Result if "triage" in data else None
    if model is None:
        return Baseline.of_result(screen(read_intake(path, max_bytes=max_bytes)))
    try:
        done = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, path, model)) from None
    return Baseline.of_review(done) if model is Review else Baseline.of_result(done)


def _checkin(args: argparse.Namespace) -> int:
    from hipscreen.explain import UnknownConclusion
    from hipscreen.render import checkin_text, why_not_text
    from hipscreen.review import CheckInMismatch, review
    from hipscreen.review import why_not as review_why_not

    checkin = read_checkin(args.file, max_bytes=args.max_bytes)
    record_id = None
    try:
        if args.previous or args.dry_run:  # review only: nothing is saved
            if args.previous:
                baseline = read_previous(args.previous, max_bytes=args.max_bytes)
            else:
                store = _store(args)
                with _record_errors():
                    baseline = store.baseline(args.person)
                if baseline is None:
                    raise InputError(f"--person {clip(args.person)!r}: no saved record in "
                                     f"{store.safe_url}; save a screening first (hipscreen "
                                     "screen FILE --save --person LABEL)")
            done = review(checkin, baseline)
        else:  # reviewed against the person's newest record and saved after it, in one step
            store = _store(args)
            with _record_errors():
                record_id, done = store.check_in(checkin, person=args.person, made_by=args.by)
            print(f"hipscreen: saved as record {record_id} for person {args.person!r} in "
                  f"{store.safe_url}", file=sys.stderr)
    except CheckInMismatch as exc:
        raise InputError("\n".join(exc.lines(args.file))) from None
    if args.why_not:
        try:
            answer = review_why_not(done, args.why_not, drill=args.drill)
        except UnknownConclusion as exc:
            raise InputError(f"--why-not: {clip(str(exc))}") from None
        print(why_not_text(answer))
        print(f"\n{done.disclaimer}")
    elif args.format == "json":
        data = json.loads(done.model_dump_json())
        print(json.dumps({"record_id": record_id, **data} if record_id else data, indent=2))
    else:
        print(checkin_text(done, markdown=args.format == "markdown"))
    return EXIT_OK


def _table(rows: list[dict], columns: list[str]) -> str:
    if not rows:
        return "(no records)"
    from hipscreen.plaintext import visible

    # a stored value written before input was checked is shown escaped, never raw
    cells = [[visible(r.get(c, ""), lines=False) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _history(args: argparse.Namespace) -> int:
    store = _store(args)
    with _record_errors():
        if args.all:
            page = None
            rows = [h.as_dict() for h in store.history(args.person)]
        else:
            page = store.history_page(args.person, limit=args.limit, before=args.before)
            rows = [h.as_dict() for h in page.rows]
    if page is not None and page.before is not None:
        print(f"showing the newest {len(page.rows)} of {page.total} records; older: "
              f"--before {page.before}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for row in rows:
        row["plan"] = " ".join(f"{p['drill']}:{p['side']}" for p in row.get("plan") or []) or "-"
        row["decisions"] = " ".join(f"{d['drill']}:{d['decision']}"
                                    for d in row.get("decisions") or []) or "-"
        row["psfs"] = "; ".join(f"{k}={v}" for k, v in (row.get("psfs") or {}).items()) or "-"
        row["worse"] = ", ".join(row.get("worse") or []) or "-"
    print(_table(rows, ["record_id", "created_at", "kind", "triage", "status", "pain_worst_week",
                        "psfs", "worse", "plan", "decisions"]))
    return EXIT_OK


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _queue(args: argparse.Namespace) -> int:
    store = _store(args)
    with _record_errors():
        rows = [q.as_dict() for q in store.queue(status=args.status, since=args.since,
                                                  until=args.until, limit=args.limit,
                                                  offset=args.offset)]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(_table(rows, ["record_id", "triage", "created_at", "status", "kind", "person"]))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from hipscreen.plaintext import markdown_text, visible
    from hipscreen.render import checkin_text, to_markdown, to_text
    from hipscreen.review import Review

    store = _store(args)
    with _record_errors():
        record = store.get(args.record_id)
    if args.format == "json":
        print(json.dumps(record.as_dict(), indent=2, default=str))
        return EXIT_OK
    try:
        model = record.model()
    except ValidationError:
        raise OutputError(f"record {record.id} was written by hipscreen "
                          f"{record.hipscreen_version} in a shape this version cannot show; "
                          "use --format json") from None
    md = args.format == "markdown"
    person = markdown_text(record.person) if md else visible(record.person, lines=False)
    made_by = record.made_by and (markdown_text(record.made_by) if md
                                  else visible(record.made_by, lines=False))
    print(f"Record {record.id} ({record.kind}, person '{person}', status {record.status}, "
          f"saved {record.created_at:%Y-%m-%d %H:%M} UTC"
          + (f", by {made_by}" if made_by else "")
          + (f", follows record {record.follows}" if record.follows else "")
          + f"; hipscreen {record.hipscreen_version}, knowledge {record.knowledge_fingerprint})\n")
    if isinstance(model, Review):
        print(visible(checkin_text(model, markdown=md)))
    else:
        print(to_markdown(model) if md else to_text(model))
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    store = _store(args)
    with _record_errors():
        store.get(args.record_id)  # a database that does not exist is not created for this
        store.set_status(args.record_id, args.status, by=args.by, note=args.note)
    print(f"record {args.record_id}: status {args.status} (logged)")
    return EXIT_OK


def _delete(args: argparse.Namespace) -> int:
    store = _store(args)
    with _record_errors():
        store.get(args.record_id)  # no prompt for a record (or database) that does not exist
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError(f"delete: confirm with --yes (record {args.record_id} and its content "
                             "are removed for good; the deletion is logged)")
        typed = input(f"Delete record {args.record_id} for good? Type its id to confirm: ").strip()
        if typed != str(args.record_id):
            print("not deleted")
            return EXIT_FAIL
    with _record_errors():
        store.delete(args.record_id, by=args.by, reason=args.reason)
    print(f"record {args.record_id}: deleted (logged)")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from hipscreen.batch import BatchInputError
    from hipscreen.records.export import export_records

    store = _store(args)
    _check_output(args.output, inputs=[store.sqlite_path])
    try:
        with _record_errors():
            count = export_records(store, args.output, what=args.what)
    except BatchInputError as exc:
        raise InputError(str(exc)) from None
    print(f"exported {count} {args.what} from {store.safe_url} to {args.output}")
    return EXIT_OK


def _db(args: argparse.Namespace) -> int:
    store = _store(args)
    with _record_errors():
        if args.action == "upgrade":
            before = store.revision()
            reached = store.upgrade()
            print(f"database {store.safe_url}: schema revision {before or '(empty)'} -> {reached}")
        else:
            current, head = store.revision(), store.head()
            state = (f"up to date; {store.count()} records" if current == head
                     else "needs `hipscreen db upgrade`")
            print(f"database {store.safe_url}: schema revision {current or '(empty)'}, newest "
                  f"{head} ({state})")
    return EXIT_OK


def _app(args: argparse.Namespace) -> int:
    from hipscreen.app.launch import run

    return run(args.port)


# -- the parser ------------------------------------------------------------------------------
def _knowledge_base(args: argparse.Namespace):
    """The catalogue in use for this command: a tuned copy given with --data, else the shipped."""
    folder = getattr(args, "knowledge_dir", None)
    if folder is None:
        return contextlib.nullcontext()
    from hipscreen.knowledge.catalogue import CatalogueError, catalogue_from

    try:
        return catalogue_from(folder)
    except CatalogueError as exc:
        raise InputError(f"--data {folder}: the knowledge base is not valid:\n{exc}") from None


def _add_lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", default=SOURCE_LANGUAGE, metavar="CODE",
                   help="The language of the output: " + ", ".join(
                       f"{code} ({name})" for code, name in LANGUAGES.items())
                   + f"; default {SOURCE_LANGUAGE}, never guessed from the environment")


def _add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", dest="knowledge_dir", metavar="DIR",
                   help="Use the catalogues of DIR (a tuned copy of knowledge/data) instead of "
                        "the shipped ones")


def _add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL",
                   help="The record database: a URL (sqlite:///PATH, postgresql://USER:PASSWORD@"
                        "HOST/NAME) or a SQLite file path; default $HIPSCREEN_DATABASE_URL, else "
                        "one SQLite file in your user data directory")


def _plain_label(text: str) -> str:
    """A --person label or --by initials: one line of plain text (no control, format or bidi
    character); the store checks the rest."""
    from hipscreen.plaintext import check_plain

    try:
        return check_plain(text, "expected plain text")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("expected plain text: ")) from None


def _plain_note(text: str) -> str:
    """A --note or --reason: plain text that may have line breaks and tabs."""
    from hipscreen.plaintext import check_plain

    try:
        return check_plain(text, "expected plain text", lines=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("expected plain text: ")) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _port(text: str) -> int:
    port = _positive_int(text)
    if port > 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hipscreen",
        description="Screen recurring low back pain for a hip stability and hinge problem. "
                    "A screening aid, not a diagnosis.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("screen", help="Screen one intake (YAML or JSON) and explain the result.")
    p.add_argument("file", help="Intake file (.yaml, .yml or .json), or - for stdin")
    p.add_argument("--format", choices=tuple(RENDERERS),
                   default="text",
                   help="text for people (default), json for programs, markdown for notes, pdf "
                        "for a printable report (needs -o), svg for the reasoning picture, fhir "
                        "for a FHIR Bundle")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="Write to FILE instead of standard output (required for pdf)")
    _add_lang_option(p)
    p.add_argument("--report", choices=("clinician", "plan"), default="clinician",
                   help="With --format pdf: the clinician's report (default) or the person's plan")
    p.add_argument("--fhir-release", choices=("R4B", "R5"), default="R4B",
                   help="With --format fhir: the FHIR release (default R4B)")
    p.add_argument("--why-not", metavar="ID",
                   help="Explain why a deficit or drill id was (or was not) concluded")
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help=f"Refuse an intake file larger than N bytes (default {MAX_BYTES:,})")
    p.add_argument("--save", action="store_true",
                   help="Save the screening as a record (nothing is saved without this); the JSON "
                        "output gains record_id")
    p.add_argument("--person", metavar="LABEL", type=_plain_label,
                   help="With --save: a pseudonymous label for the person (no name needed; "
                        "default: a new random label, printed); with --format fhir: the "
                        "Patient's identifier (without it the Patient is new each time)")
    p.add_argument("--psfs", action="append", metavar="ACTIVITY=SCORE",
                   help="With --save: a PSFS activity the person names and its score 0-10 "
                        "(up to 3; repeatable), for later check-ins")
    p.add_argument("--by", metavar="INITIALS", type=_plain_label,
                   help="With --save: who made it (initials)")
    _add_db_option(p)
    _add_data_option(p)
    p.set_defaults(func=_screen)

    p = sub.add_parser("batch", help="Screen a table of intakes (CSV, JSONL or Parquet).")
    p.add_argument("input", nargs="?", help="Input table: .csv, .jsonl or .parquet")
    p.add_argument("-o", "--output", required=True, help="Output table (format by extension)")
    p.add_argument("--jobs", type=int, default=None,
                   help="Worker processes (default: the number of cores; 1 = in this process)")
    p.add_argument("--template", action="store_true",
                   help="Write an empty CSV with every column and the allowed values instead")
    p.set_defaults(func=_batch)

    p = sub.add_parser("schema", help="Print the JSON schema of the intake.")
    p.set_defaults(func=_schema)

    p = sub.add_parser("fhir", help="FHIR interchange: print the intake or check-in "
                                    "Questionnaire, or hipscreen's CodeSystems.")
    p.add_argument("what", choices=tuple(FHIR_PRINTS),
                   help="questionnaire: the intake's form; checkin-questionnaire: the "
                        "check-in's form; codesystems: a Bundle of hipscreen's CodeSystems")
    p.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout")
    p.add_argument("--fhir-release", choices=("R4B", "R5"), default="R4B",
                   help="The FHIR release (default R4B)")
    p.add_argument("--canonical-base", metavar="URL",
                   help="The base of every URL hipscreen mints (default: $HIPSCREEN_FHIR_BASE, "
                        "else https://hipscreen.example/fhir); set the same variable when "
                        "reading responses to a form printed under another base")
    _add_lang_option(p)
    p.set_defaults(func=_fhir)

    p = sub.add_parser(
        "cases", help="Run documented case files against the rule base.",
        description="Run documented case files (docs/design.md 'Case files'): pass/fail with "
                    "expected-vs-actual differences, rule coverage, and the changes since a "
                    "saved run. Exit 0 all pass, 1 any fails, 2 any file invalid.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"Case files or directories (searched recursively); default {CASES_PATH}/ here, "
                        "else the case files installed with hipscreen")
    p.add_argument("--format", choices=("table", "json", "markdown", "junit"), default="table",
                   help="table for people (default), json (the CaseReport model), markdown, "
                        "or junit XML for CI")
    p.add_argument("--only", action="append", metavar="ID",
                   help="Run only the case with this id (repeatable)")
    p.add_argument("--save", metavar="FILE",
                   help="Write every case's actual outcome to FILE (JSON) for a later --baseline")
    p.add_argument("--baseline", metavar="FILE",
                   help="Compare with a run saved by --save: what changed, case by case")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="Write the report to FILE instead of standard output")
    p.add_argument("--no-coverage", action="store_true",
                   help="Leave the per-rule coverage table out (gaps are still listed)")
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help=f"Mark a case file larger than N bytes invalid (default {MAX_BYTES:,})")
    _add_data_option(p)
    p.set_defaults(func=_cases)

    p = sub.add_parser(
        "lint", help="Verify the knowledge base: ids, dead parts, anomalies, red-flag cases.",
        description="Check the catalogues, the rule registry and the case files for missing "
                    "ids, unused or unreachable parts, redundant, subsumed, conflicting or "
                    "circular rules, and red-flag rows without a case. Exit 1 on any problem.")
    p.add_argument("--data", metavar="DIR",
                   help="Catalogue directory (default: the shipped knowledge/data)")
    p.add_argument("--cases", metavar="DIR",
                   help="Case directory for the red-flag coverage check (default: ./cases, else the "
                        "installed case files)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for people (default), json (the LintReport model)")
    p.set_defaults(func=_lint)

    p = sub.add_parser("docs", help="Write the knowledge-base reference (rules beside their sources).")
    p.add_argument("-o", "--output", default=str(REFERENCE_PATH), help=f"default {REFERENCE_PATH}")
    p.add_argument("--check", action="store_true", help="Exit 1 if the file is out of date")
    p.set_defaults(func=_docs)

    p = sub.add_parser(
        "checkin", help="Review a check-in against the previous record: a decision per drill, "
                        "triage, the updated plan.",
        description="Review a check-in (docs/design.md 'Follow-up'): the safety questions triaged as "
                    "at intake, worse pain or PSFS against the previous record, and per planned "
                    "drill progress, keep, regress or stop, with the rules and facts behind "
                    "each. With --person the previous record is the person's newest saved one "
                    "and the check-in is saved after it; with --previous FILE nothing is read "
                    "from or written to a database.")
    p.add_argument("file", help="Check-in file (.yaml, .yml or .json), or - for stdin")
    _add_lang_option(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="LABEL", type=_plain_label,
                     help="The person's label: review against their newest record, then save")
    who.add_argument("--previous", metavar="FILE",
                     help="Review against FILE instead: an intake, or the JSON of a screening "
                          "(screen --format json) or of a check-in (checkin --format json)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text for people (default), json (the Review, with the trace), markdown")
    p.add_argument("--dry-run", action="store_true", help="With --person: review, save nothing")
    p.add_argument("--by", metavar="INITIALS", type=_plain_label,
                   help="A clinician's initials, when one records it")
    p.add_argument("--why-not", metavar="ID",
                   help="Explain a decision (progress, keep, regress, stop; with --drill) or why a "
                        "drill is or is not in the updated plan")
    p.add_argument("--drill", metavar="DRILL", help="With --why-not DECISION: the drill it is about")
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help=f"Refuse an input file larger than N bytes (default {MAX_BYTES:,})")
    _add_db_option(p)
    _add_data_option(p)
    p.set_defaults(func=_checkin)

    p = sub.add_parser("history", help="A person's saved records, oldest first: scores, plans, "
                                       "decisions.",
                       description="A person's saved records, oldest first: the newest --limit "
                                   "of them (default 50); stderr names the --before ID that "
                                   "shows the older ones.")
    p.add_argument("--person", metavar="LABEL", required=True, type=_plain_label,
                   help="The person's label")
    p.add_argument("--limit", type=_positive_int, default=50, metavar="N",
                   help="Show the newest N records (default 50)")
    p.add_argument("--before", type=_positive_int, metavar="ID",
                   help="Only records older than record ID (the next page back)")
    p.add_argument("--all", action="store_true", help="Every record of the person, one list")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table for people (default), json")
    _add_db_option(p)
    p.set_defaults(func=_history)

    p = sub.add_parser("queue", help="Saved records, most urgent triage first, then oldest first.")
    p.add_argument("--status", action="append", choices=("new", "reviewed", "referred", "closed"),
                   help="Only records with this status (repeatable; default every status)")
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="Saved on or after this day")
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="Saved on or before this day")
    p.add_argument("--limit", type=int, metavar="N", help="At most N rows (a page of the queue)")
    p.add_argument("--offset", type=int, default=0, metavar="N",
                   help="Skip the first N rows (the next page: --offset 50 --limit 50)")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table for people (default), json (record_id, person, created_at, "
                        "triage, status, kind)")
    _add_db_option(p)
    p.set_defaults(func=_queue)

    p = sub.add_parser("show", help="One saved record: its result and reasoning, who made it, "
                                    "with which version.")
    p.add_argument("record_id", type=_positive_int, help="The record's id")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text (default), json (the whole record), markdown")
    _add_lang_option(p)
    _add_db_option(p)
    p.set_defaults(func=_show)

    p = sub.add_parser("status", help="Change a saved record's status (logged).")
    p.add_argument("record_id", type=_positive_int, help="The record's id")
    p.add_argument("status", choices=("new", "reviewed", "referred", "closed"), help="New status")
    p.add_argument("--by", metavar="INITIALS", required=True, type=_plain_label,
                   help="Who changes it (initials)")
    p.add_argument("--note", type=_plain_note, help="Why, in a few words (logged)")
    _add_db_option(p)
    p.set_defaults(func=_status)

    p = sub.add_parser("delete", help="Delete a saved record for good (confirmed, logged).")
    p.add_argument("record_id", type=_positive_int, help="The record's id")
    p.add_argument("--by", metavar="INITIALS", required=True, type=_plain_label,
                   help="Who deletes it (initials)")
    p.add_argument("--reason", type=_plain_note, help="Why (logged)")
    p.add_argument("--yes", action="store_true",
                   help="Confirm without the prompt (required when not run at a terminal)")
    _add_db_option(p)
    p.set_defaults(func=_delete)

    p = sub.add_parser("export", help="Export saved records to CSV, JSONL or Parquet (the intakes "
                                      "go straight back into `hipscreen batch`).")
    p.add_argument("-o", "--output", required=True, help="Output table (format by extension)")
    p.add_argument("--what", choices=("intakes", "records"), default="intakes",
                   help="intakes (default): one row per saved screening, id = record id, the "
                        "intake's columns as `hipscreen batch` reads them; records: one row per "
                        "record with its metadata, scores, plan and decisions")
    _add_db_option(p)
    p.set_defaults(func=_export)

    p = sub.add_parser("db", help="The record database: upgrade its schema, or show its state.")
    p.add_argument("action", choices=("upgrade", "status"),
                   help="upgrade: run the migrations up to the newest; status: where it stands")
    _add_db_option(p)
    p.set_defaults(func=_db)

    p = sub.add_parser(
        "app", help="Start the browser app on 127.0.0.1 (self-screening, clinician intake, "
                    "case lab, knowledge).")
    p.add_argument("--port", type=_port, default=8501, help="Port to listen on (default 8501)")
    p.set_defaults(func=_app)
    return parser


def command_help() -> dict[str, str]:
    """Each subcommand and its one-line help, as the parser knows them."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in sub._choices_actions}


def main(argv: list[str] | None = None) -> int:
    from hipscreen.compat import check_frozendict

    if problem := check_frozendict():  # before anything imports experta: one line, no traceback
        print(f"hipscreen: {problem}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        lang = check_language(getattr(args, "lang", None) or SOURCE_LANGUAGE)
    except LanguageError as exc:
        print(f"hipscreen: --lang: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with use_language(lang), _knowledge_base(args):
            code = args.func(args)
        sys.stdout.flush()
    except InputError as exc:
        print(f"hipscreen: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"hipscreen: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        # The reader stopped reading (`hipscreen screen f.yaml | head`): what it took was right;
        # point stdout at /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
