"""The built wheel holds the hipscreen package and its metadata, and nothing else from the repository."""

import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where each installed subpackage comes from ([tool.setuptools.package-dir] in pyproject.toml).
SOURCES = {"hipscreen": ROOT / "src" / "hipscreen", "hipscreen/knowledge": ROOT / "knowledge",
           "hipscreen/rules": ROOT / "rules", "hipscreen/app": ROOT / "app"}
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DIST_INFO = f"hipscreen-{VERSION}.dist-info"

pytestmark = pytest.mark.skipif(shutil.which("uv") is None,
                                reason="uv is not on PATH: the wheel is built with `uv build`")


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
