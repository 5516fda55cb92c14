"""The built wheel holds the hipscreen package and its metadata, and nothing else from the repository:
its modules, catalogues, pictures, templates, translations and the documented case files; and,
installed into a fresh venv, `hipscreen cases`, `hipscreen lint` and the case lab find those case
files outside any checkout."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from hipscreen.cases import checkout_cases_dir, default_cases_dir, shipped_cases_dir

ROOT = Path(__file__).resolve().parent.parent
# Where each installed subpackage comes from ([tool.setuptools.package-dir] in pyproject.toml).
SOURCES = {"hipscreen": ROOT / "src" / "hipscreen", "hipscreen/knowledge": ROOT / "knowledge",
           "hipscreen/rules": ROOT / "rules", "hipscreen/app": ROOT / "app"}
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DIST_INFO = f"hipscreen-{VERSION}.dist-info"

CASES = ROOT / "cases"
CASE_FILES = sorted(p for p in CASES.rglob("*") if p.suffix in (".yaml", ".yml"))
TRANSLATIONS = sorted((ROOT / "src" / "hipscreen" / "locale").glob("*/LC_MESSAGES/*.po"))

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("uv") is None,
                                 reason="uv is not on PATH: the wheel is built with `uv build`")]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the sdist, then the wheel from it in uv's temporary directory (no build/ in the tree)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["uv", "build", "--quiet", "--out-dir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"uv build failed:\n{done.stderr}"
    (built,) = out.glob("hipscreen-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _expected_files() -> set[str]:
    expected = set()
    for target, source in SOURCES.items():
        for path in source.rglob("*.py"):
            rel = path.relative_to(source)
            if "__pycache__" not in rel.parts:
                expected.add(f"{target}/{rel.as_posix()}")
    expected |= {f"hipscreen/knowledge/data/{p.name}" for p in (ROOT / "knowledge" / "data").glob("*.yaml")}
    # the drill and self-test pictures the catalogues name (package data as well)
    expected |= {f"hipscreen/knowledge/data/pictures/{p.name}"
                 for p in (ROOT / "knowledge" / "data" / "pictures").glob("*.svg")}
    # the report templates (package data, [tool.setuptools.package-data] in pyproject.toml)
    expected |= {f"hipscreen/templates/{p.name}"
                 for p in (ROOT / "src" / "hipscreen" / "templates").glob("*.typ")}
    # the gettext catalogues and the documented case files (package data as well)
    expected |= {f"hipscreen/{p.relative_to(ROOT / 'src' / 'hipscreen').as_posix()}" for p in TRANSLATIONS}
    expected |= {f"hipscreen/cases/documented/{p.relative_to(CASES).as_posix()}" for p in CASE_FILES}
    return expected


def test_the_wheel_holds_only_hipscreen_and_its_metadata(wheel_names):
    tops = {name.split("/")[0] for name in wheel_names}
    assert tops == {"hipscreen", DIST_INFO}, f"top-level entries: {sorted(tops)}"


def test_every_module_catalogue_and_page_is_in_the_wheel(wheel_names):
    package_files = {name for name in wheel_names if name.startswith("hipscreen/")}
    expected = _expected_files()
    assert not expected - package_files, "missing from the wheel (a subpackage not listed in pyproject?)"
    assert not package_files - expected, "in the wheel but not in the source tree"
    assert {"hipscreen/cli.py", "hipscreen/compat.py", "hipscreen/rules/engine.py",
            "hipscreen/knowledge/data/drills.yaml", "hipscreen/app/pages/result.py",
            "hipscreen/templates/clinician.typ", "hipscreen/templates/plan.typ",
            "hipscreen/knowledge/data/pictures/hip_airplane.svg"} <= package_files


def test_the_wheel_metadata_declares_the_command_and_the_engine(wheel):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
    assert "hipscreen = hipscreen.cli:main" in entry_points
    assert "Requires-Dist: experta==1.9.4" in metadata


def test_the_wheel_carries_every_case_file_and_every_translation(wheel_names):
    names = set(wheel_names)
    cases = {n for n in names if n.startswith("hipscreen/cases/documented/")}
    assert len(cases) == len(CASE_FILES) >= 150, "the documented cases are not all in the wheel"
    assert "hipscreen/cases/documented/runner-right-shift.yaml" in cases
    assert any(n.startswith("hipscreen/cases/documented/checkins/") for n in cases)
    assert any(n.startswith("hipscreen/cases/documented/vignettes/") for n in cases)
    po = {n for n in names if n.startswith("hipscreen/locale/") and n.endswith(".po")}
    assert TRANSLATIONS and len(po) == len(TRANSLATIONS)
    assert all("/LC_MESSAGES/" in n for n in po)


# -- installed: the case files are found without the repository ------------------------------
def _clean_env() -> dict[str, str]:
    """This environment without the test run's venv and paths: the installed package alone."""
    return {k: v for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH")}


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv (`uv venv`) with the wheel installed and the locked versions of its
    dependencies (`uv export`, frozendict as pyproject's [tool.uv] overrides it): from uv's cache
    when it holds them all, else from the index uv uses. Returns the venv's bin/ directory."""
    where = tmp_path_factory.mktemp("installed")
    venv = where / "venv"
    run = {"capture_output": True, "text": True, "timeout": 600, "check": False}
    done = subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], **run)
    assert done.returncode == 0, f"uv venv failed:\n{done.stderr}"
    pins = where / "requirements.txt"
    done = subprocess.run(["uv", "export", "--frozen", "--no-default-groups", "--no-emit-project",
                           "--no-hashes", "--quiet", "-o", str(pins)], cwd=ROOT, **run)
    assert done.returncode == 0, f"uv export failed:\n{done.stderr}"
    overrides = where / "overrides.txt"
    overrides.write_text("frozendict>=2.4\n")
    install = ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
               "-r", str(pins), "--overrides", str(overrides), str(wheel)]
    done = subprocess.run([*install, "--offline"], cwd=where, env=_clean_env(), **run)
    if done.returncode != 0:  # something is not in uv's cache: fetch it
        done = subprocess.run(install, cwd=where, env=_clean_env(), **run)
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stderr}"
    return venv / "bin"


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working directory with no cases/ and nothing of the repository."""
    return tmp_path_factory.mktemp("elsewhere")


def _site_cases(bin_dir: Path) -> Path:
    (site,) = bin_dir.parent.glob("lib/python3*/site-packages")
    return site / "hipscreen" / "cases" / "documented"


def test_installed_hipscreen_cases_runs_the_shipped_case_files(installed, outside):
    done = subprocess.run([str(installed / "hipscreen"), "cases", "--format", "json"], cwd=outside,
                          env=_clean_env(), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    report = json.loads(done.stdout)
    n = len(CASE_FILES)
    summary = report["summary"]
    assert (summary["total"], summary["passed"], summary["invalid"]) == (n, n, 0), summary
    shipped = str(_site_cases(installed))
    assert all(case["file"].startswith(shipped) for case in report["cases"]), "not the installed copy"
    table = subprocess.run([str(installed / "hipscreen"), "cases", "--no-coverage"], cwd=outside,
                           env=_clean_env(), capture_output=True, text=True, timeout=600, check=False)
    assert table.returncode == 0, table.stderr
    assert f"{n} case files: {n} passed, 0 failed, 0 errors, 0 invalid" in table.stdout


def test_installed_hipscreen_lint_passes_with_the_shipped_case_files(installed, outside):
    done = subprocess.run([str(installed / "hipscreen"), "lint", "--format", "json"], cwd=outside,
                          env=_clean_env(), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["problems"] == []
    assert Path(report["case_dir"]) == _site_cases(installed)


def test_the_installed_case_lab_finds_the_case_files(installed, outside):
    """The case lab's own folder finder, imported from the installed package (no Streamlit run)."""
    probe = ("import json; from hipscreen.app.case_files import default_cases_dir; "
             "from hipscreen.cases import discover; folder = default_cases_dir(); "
             "files, problems = discover([folder]) if folder else ([], []); "
             "print(json.dumps({'folder': str(folder), 'files': len(files), "
             "'problems': [m for _, m in problems]}))")
    done = subprocess.run([str(installed / "python"), "-c", probe], cwd=outside, env=_clean_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["files"] == len(CASE_FILES) and not found["problems"], found
    assert Path(found["folder"]).is_relative_to(_site_cases(installed).parent), found


# -- in the checkout: the repository's own cases/, read as they are now ------------------------
def test_a_checkout_runs_its_own_case_files(monkeypatch, tmp_path):
    assert checkout_cases_dir() == CASES
    assert shipped_cases_dir() is None  # the editable install maps no copy: cases/ is read as it is
    monkeypatch.chdir(ROOT)
    assert default_cases_dir() == Path("cases")  # as given, so messages say cases/...
    monkeypatch.chdir(tmp_path)
    assert default_cases_dir() == CASES
    (tmp_path / "cases").mkdir()
    assert default_cases_dir() == Path("cases"), "./cases where the command runs comes first"
