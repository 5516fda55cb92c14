"""A pip install brings experta's frozendict==1.2: the CLI and hipscreen.rules name the fix in one line."""

import subprocess
import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import pytest

from hipscreen import compat
from hipscreen.cli import main

FULL_INTAKE = Path(__file__).parent / "data" / "full_intake.yaml"
FIX = 'pip install "frozendict>=2.4"'


def _installed(found: str):
    return lambda name: found


def _missing(name: str) -> str:
    raise PackageNotFoundError(name)


@pytest.mark.parametrize("found", ["1.2", "1.0", "0.9"])
def test_frozendict_1_is_refused_with_the_fix(found):
    message = compat.check_frozendict(_installed(found))
    assert message is not None
    assert f"frozendict {found} is installed" in message and message.endswith(FIX)
    assert "\n" not in message


@pytest.mark.parametrize("found", ["2.4.0", "2.4.6", "2.5.1", "3.0", "2.4.6.dev0+local", "weird"])
def test_frozendict_2_4_and_later_pass(found):
    assert compat.check_frozendict(_installed(found)) is None


def test_frozendict_missing_is_refused_with_the_fix():
    message = compat.check_frozendict(_missing)
    assert message is not None and "not installed" in message and message.endswith(FIX)


def test_this_environment_passes():
    assert compat.check_frozendict() is None
    compat.require_frozendict()


def test_main_exits_2_with_one_line_on_old_frozendict(monkeypatch, capsys):
    monkeypatch.setattr(compat, "version", _installed("1.2"))
    assert main(["screen", str(FULL_INTAKE)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "hipscreen: frozendict 1.2 is installed (experta pins frozendict==1.2), and it does not work "
        f"on Python 3.10+; fix: {FIX}"]


def test_require_frozendict_raises_import_error(monkeypatch):
    monkeypatch.setattr(compat, "version", _installed("1.2"))
    with pytest.raises(ImportError, match="frozendict>=2.4"):
        compat.require_frozendict()


# In a fresh interpreter that believes frozendict 1.2 is installed: the CLI answers before experta is
# imported (so experta's crash can never show), and importing the rule engine raises the same line.
_FAKE_OLD = """
import importlib.metadata as metadata, sys
real = metadata.version
metadata.version = lambda name: "1.2" if name == "frozendict" else real(name)
"""


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _FAKE_OLD + code], capture_output=True, text=True,
                          timeout=60, check=False)


def test_the_cli_answers_before_experta_is_imported():
    done = _python(f"""
from hipscreen.cli import main
code = main(["screen", {str(FULL_INTAKE)!r}])
print(code, "experta" in sys.modules)
""")
    assert done.stdout.split() == ["2", "False"], done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.strip().endswith(FIX)


def test_importing_the_rule_engine_raises_the_same_line():
    done = _python("""
try:
    import hipscreen.rules.engine
except ImportError as exc:
    print("ImportError:", exc, "|", "experta" in sys.modules)
""")
    assert "ImportError: frozendict 1.2 is installed" in done.stdout, done.stderr
    assert FIX in done.stdout and done.stdout.split()[-1] == "False"
