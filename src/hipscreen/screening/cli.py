"""The `hipscreen` command: one argparse group; each subcommand module registers itself."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from pydantic import ValidationError

from hipscreen.documents import (
    MAX_BYTES,
    InputError,
    clip,
    describe_validation_error,
    load_mapping,
    read_text,
)
from hipscreen.knowledge.intake import Intake
from hipscreen.screening.result import DISCLAIMER

# Modules with `register(subparsers)`; each adds one subcommand whose `func(args)` returns the
# exit code.
COMMAND_MODULES: tuple[str, ...] = ("hipscreen.app.launch", "hipscreen.screening.cases",
                                    "hipscreen.screening.lint", "hipscreen.screening.reference")

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


def read_intake(path: str, *, max_bytes: int = MAX_BYTES) -> Intake:
    """Read an intake from a YAML or JSON file, or '-' for stdin; raise InputError when bad."""
    where = "stdin" if path == "-" else path
    text = read_text(path, max_bytes=max_bytes, stdin=sys.stdin)
    data = load_mapping(text, where, expected="intake fields", max_bytes=max_bytes)
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, where, Intake)) from None


def _screen(args: argparse.Namespace) -> int:
    from hipscreen.screening.engine import screen
    from hipscreen.screening.explain import UnknownConclusion
    from hipscreen.screening.render import to_markdown, to_text, why_not_text

    intake = read_intake(args.file, max_bytes=args.max_bytes)
    result = screen(intake)
    if args.why_not:
        try:
            answer = result.why_not(args.why_not)
        except UnknownConclusion as exc:
            raise InputError(f"--why-not: {clip(str(exc))}") from None
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


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
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help=f"Refuse an intake file larger than N bytes (default {MAX_BYTES:,})")
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
        sys.stdout.flush()
    except InputError as exc:
        print(f"hipscreen: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
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
