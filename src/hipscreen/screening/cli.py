"""The `hipscreen` command: one argparse group; each subcommand module registers itself."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from hipscreen.knowledge.intake import Intake
from hipscreen.screening.result import DISCLAIMER

# Modules with `register(subparsers)`; each adds one subcommand whose `func(args)` returns the
# exit code.
COMMAND_MODULES: tuple[str, ...] = ("hipscreen.app.launch", "hipscreen.screening.cases",
                                    "hipscreen.screening.lint", "hipscreen.screening.reference")

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


class InputError(Exception):
    """Input that cannot be used; the message says where and what was expected."""


def describe_validation_error(exc: ValidationError, where: str) -> str:
    """One line per bad field: where, the field path, what was expected, what was given."""
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        given = err.get("input")
        shown = "" if err["type"] == "missing" else f" (got {given!r})"
        lines.append(f"{where}: field '{field}': {err['msg']}{shown}")
    return "\n".join(lines)


def read_intake(path: str) -> Intake:
    """Read an intake from a YAML or JSON file, or '-' for stdin; raise InputError when bad."""
    where = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{where}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)  # YAML is a superset of JSON
    except yaml.YAMLError as exc:
        raise InputError(f"{where}: not valid YAML or JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of intake fields, got {type(data).__name__}")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, where)) from None


def _screen(args: argparse.Namespace) -> int:
    from hipscreen.screening.engine import screen
    from hipscreen.screening.explain import UnknownConclusion
    from hipscreen.screening.render import to_markdown, to_text, why_not_text

    intake = read_intake(args.file)
    result = screen(intake)
    if args.why_not:
        try:
            answer = result.why_not(args.why_not)
        except UnknownConclusion as exc:
            raise InputError(f"--why-not: {exc}") from None
        print(why_not_text(answer))
        print(f"\n{result.disclaimer}")
        return EXIT_OK
    if args.format == "json":
        print(result.model_dump_json(indent=2))
    elif args.format == "markdown":
        print(to_markdown(result))
    else:
        print(to_text(result))
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from hipscreen.screening.batch import BatchInputError, screen_file, write_template

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
    print(DISCLAIMER)
    return summary.exit_code


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(Intake.model_json_schema(), indent=2))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hipscreen",
        description="Screen recurring low back pain for a hip stability and hinge problem. "
                    "A screening aid, not a diagnosis.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("screen", help="Screen one intake (YAML or JSON) and explain the result.")
    p.add_argument("file", help="Intake file (.yaml, .yml or .json), or - for stdin")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text for people (default), json for programs, markdown for notes")
    p.add_argument("--why-not", metavar="ID",
                   help="Explain why a deficit or drill id was (or was not) concluded")
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

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def command_help() -> dict[str, str]:
    """Each subcommand and its one-line help, as the parser knows them."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in sub._choices_actions}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except InputError as exc:
        print(f"hipscreen: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
