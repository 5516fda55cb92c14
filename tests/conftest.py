"""Shared fixtures: a rich self-care intake most tests start from; the record store's databases
(SQLite and a throwaway PostgreSQL); the app's database, and the app served off this computer."""

import copy

import pytest

RICH_INTAKE = {
    "mode": "self",
    "age": 34,
    "activities": ["running", "lifting"],
    "safety": {},
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "knee_collapse": "none", "hinge_faults": ["back_rounds"]},
}


@pytest.fixture
def rich_intake() -> dict:
    return copy.deepcopy(RICH_INTAKE)


# Markers: `uv run pytest` runs everything; `-m "not browser"` leaves out the real-Chromium
# tests and `-m "not slow"` the ones that start processes or kill them (a quick loop while
# editing rules). Marked here by file and name, so a new test in those files is marked too.
BROWSER_FILES = frozenset({"test_browser.py", "test_records_browser.py", "test_fhir_lforms.py"})
SLOW_WORDS = ("process", "kill", "concurren", "migration", "wheel")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif any(word in item.name.lower() for word in SLOW_WORDS) or item.path.name in (
                "test_wheel.py", "test_records_integrity.py"):
            item.add_marker(pytest.mark.slow)


# -- the record store's databases (tests/test_records.py, tests/test_records_integrity.py) ----------
@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (skipped, saying why, without one)."""
    from hipscreen.records import dispose_engines
    from hipscreen.records.throwaway import NoPostgres, throwaway_postgres

    try:
        with throwaway_postgres() as url:
            try:
                yield url
            finally:
                dispose_engines()  # close pooled connections before the cluster stops
    except NoPostgres as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file that does not exist yet, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite3'}"
    from tests.records_helpers import new_pg_database

    return new_pg_database(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def db(tmp_path, monkeypatch):
    """The app's database (HIPSCREEN_DATABASE_URL) and a user data directory, both still empty
    (tests/test_app_access.py, tests/test_records_app.py)."""
    path = tmp_path / "records.sqlite3"
    monkeypatch.setenv("HIPSCREEN_DATABASE_URL", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return path


@pytest.fixture
def served_everywhere():
    """The app served on every address (0.0.0.0), as off this computer; put back afterwards."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)
