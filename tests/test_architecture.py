"""The shape of the code (issue 21): no import circle, a Result that is plain data, and rules/
that reason without knowing who shows or stores what they conclude.

The import graph is read with `ast` from the package's files, not by importing them: every
import counts as an edge, at module level, inside a function or under TYPE_CHECKING alike.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# where each part of the `hipscreen` package lives (pyproject.toml, [tool.setuptools.package-dir])
HOMES = {"hipscreen": ROOT / "src" / "hipscreen", "hipscreen.knowledge": ROOT / "knowledge",
         "hipscreen.rules": ROOT / "rules", "hipscreen.app": ROOT / "app"}
CHECKED = ("hipscreen", "hipscreen.knowledge", "hipscreen.rules", "hipscreen.app")  # circle scope


@cache
def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: its dotted name -> (file, is a package's __init__)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package, home in HOMES.items():
        for path in sorted(home.rglob("*.py")):
            parts = path.relative_to(home).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join((package, *(parts[:-1] if is_package else parts)))
            found[name] = (path, is_package)
    return found


def _module_of(target: str) -> str | None:
    """The package module an import of `target` loads (the longest known prefix), if any."""
    while target and target not in modules():
        target = target.rpartition(".")[0]
    return target or None


@cache
def imports() -> dict[str, frozenset[str]]:
    """module -> the package modules it imports (not counting the parent packages Python also
    runs on the way: a package's __init__ importing its own submodules is no circle)."""
    graph: dict[str, frozenset[str]] = {}
    for name, (path, is_package) in modules().items():
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:  # `from pkg import module` imports the module
                    full = f"{source}.{alias.name}"
                    targets.add(full if full in modules() else source)
        graph[name] = frozenset(m for t in targets if (m := _module_of(t)) and m != name)
    return graph


def find_circle(graph: dict[str, frozenset[str]]) -> list[str] | None:
    """One import circle as a path (its first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (circle := visit(target)):
                return circle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (circle := visit(module)):
            return circle
    return None


def _in(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _scoped(packages: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The import graph among the modules under `packages` (hipscreen.* but app/, say)."""
    keep = {m for m in modules() if _in(m, packages)
            and not (_in(m, ("hipscreen.app",)) and "hipscreen.app" not in packages)}
    return {m: frozenset(t for t in imports()[m] if t in keep) for m in keep}


def test_the_graph_sees_the_package():
    found = modules()
    assert {"hipscreen.result", "hipscreen.explain", "hipscreen.batch", "hipscreen.fhir.response",
            "hipscreen.rules.engine", "hipscreen.knowledge.intake"} <= set(found)
    assert "hipscreen.rules.review" in imports()["hipscreen.review_explain"]  # inside a function
    # a function-level import is an edge too
    assert "hipscreen.screening" in imports()["hipscreen.batch"]


def test_find_circle_reports_the_circle_as_a_path():
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert find_circle(graph) == ["a", "b", "c", "a"]
    assert find_circle({"a": frozenset({"b"}), "b": frozenset()}) is None


def test_no_import_circle():
    circle = find_circle(_scoped(CHECKED))
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_importing_the_result_loads_neither_the_engine_nor_the_rules():
    code = ("import sys, hipscreen.result\n"
            "print(sorted(m for m in sys.modules if m == 'experta' or m.startswith('experta.')"
            " or m.startswith('hipscreen.rules') or m == 'hipscreen.explain'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


LAYERS_RULES_MUST_NOT_IMPORT = (
    "hipscreen.app", "hipscreen.cli", "hipscreen.records",  # who shows and stores conclusions
    "hipscreen.batch", "hipscreen.rows", "hipscreen.tables", "hipscreen.outfile",  # tables, files
    "hipscreen.fhir", "hipscreen.documents",  # reading documents
    "hipscreen.pdf", "hipscreen.render", "hipscreen.picture", "hipscreen.words",  # outputs
    "hipscreen.renderers",
)


@pytest.mark.parametrize("module", sorted(m for m in modules() if _in(m, ("hipscreen.rules",))))
def test_rules_import_no_app_cli_records_or_io(module):
    wrong = sorted(t for t in imports()[module] if _in(t, LAYERS_RULES_MUST_NOT_IMPORT))
    assert not wrong, f"{module} imports {', '.join(wrong)}"


def test_the_result_and_review_models_have_no_explanation_methods():
    from hipscreen.result import Result
    from hipscreen.review_model import Review

    assert not {"how", "why_not"} & set(dir(Result))  # explain.how(result, id), explain.why_not(...)
    assert not {"how", "why_not", "decision_how"} & set(dir(Review))  # review_explain's functions
    assert "hipscreen.explain" not in imports()["hipscreen.review_model"]


def test_how_and_why_not_refuse_a_result_screened_without_its_trace(rich_intake):
    from hipscreen.explain import how, why_not
    from hipscreen.screening import screen

    result = screen(rich_intake, trace=False)
    with pytest.raises(ValueError, match="trace=False"):
        how(result, "self_care")
    with pytest.raises(ValueError, match="trace=False"):
        why_not(result, "hip_airplane")


def test_batch_is_split_and_fhir_reads_rows_not_batch():
    assert "hipscreen.batch" not in imports()["hipscreen.fhir.response"]
    assert "hipscreen.rows" in imports()["hipscreen.fhir.response"]
    assert {"hipscreen.rows", "hipscreen.tables"} <= imports()["hipscreen.batch"]
    assert not {"hipscreen.batch", "hipscreen.tables"} & imports()["hipscreen.rows"]


def test_one_registry_of_renderers_gives_the_screen_formats():
    from hipscreen.cli import build_parser
    from hipscreen.renderers import RENDERERS

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    screen_format = commands.choices["screen"]._option_string_actions["--format"]
    assert tuple(screen_format.choices) == tuple(RENDERERS)
    assert {r.extension for r in RENDERERS.values()} >= {".txt", ".md", ".json", ".pdf"}
    assert [r.name for r in RENDERERS.values() if r.binary] == ["pdf"]


def test_renderers_give_what_the_render_functions_give(rich_intake):
    import json

    from hipscreen.render import to_markdown, to_text
    from hipscreen.renderers import RENDERERS, render
    from hipscreen.screening import screen

    result = screen(rich_intake)
    assert RENDERERS["text"](result) == to_text(result)
    assert render(result, "markdown", release="R5") == to_markdown(result)  # unused options: ignored
    assert json.loads(render(result, "json", record_id=7))["record_id"] == 7
    with pytest.raises(ValueError, match="unknown format"):
        render(result, "docx")


def test_importing_the_renderers_loads_no_output_library():
    code = ("import sys, hipscreen.renderers\n"
            "print(sorted(m for m in ('pydantic', 'typst', 'graphviz', 'fhir', 'hipscreen.render',"
            " 'hipscreen.pdf', 'hipscreen.result') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
