"""``zhifa legal …`` and ``zhifa penalty quote`` through typer's CliRunner: JSON on stdout, a clear
message on stderr and a non-zero exit code on errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhifa.cli import app
from zhifa.core.audit import SYSTEM
from zhifa.core.config import get_settings
from zhifa.core.db import engine_for, session_scope, upgrade
from zhifa.legal import service
from zhifa.legal.models import CalendarYear

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture()
def cli_db(fresh_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI pointed at a database of the test's own (it commits), migrated."""
    upgrade(fresh_db_url)
    monkeypatch.setenv("ZHIFA_DATABASE_URL", fresh_db_url)
    monkeypatch.setenv("ZHIFA_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        yield fresh_db_url
    finally:
        get_settings.cache_clear()
        engine_for(fresh_db_url).dispose()


def test_deadline(cli_db: str) -> None:
    code, out, _ = run("legal", "deadline", "--from", "2026-02-12", "--working-days", "5")
    assert code == 0 and json.loads(out)["due"] == "2026-02-26"
    code, out, _ = run("legal", "deadline", "--from", "2026-02-06", "--calendar-days", "15")
    assert code == 0 and json.loads(out) | {"basis": ""} == {
        "due": "2026-02-24",
        "from": "2026-02-06",
        "calendar_days": 15,
        "kind": "calendar",
        "law": None,
        "rolled_from": "2026-02-21",
        "basis": "",
    }
    code, out, _ = run("legal", "deadline", "--from", "2026-09-28", "--days", "7", "--law", "penalty")
    assert code == 0 and json.loads(out)["due"] == "2026-10-13"


def test_deadline_errors(cli_db: str) -> None:
    with session_scope(engine_for(cli_db)) as s:
        if s.get(CalendarYear, 2027) is not None:  # a newer chinesecalendar may know 2027
            service.unschedule_year(s, SYSTEM, 2027)
    code, out, err = run("legal", "deadline", "--from", "2026-12-28", "--working-days", "5")
    assert code == 1 and out == "" and "no working-day schedule for 2027" in err
    code, _, err = run("legal", "deadline", "--from", "2026-13-01", "--working-days", "5")
    assert code == 1 and "--from: '2026-13-01' is not a date (YYYY-MM-DD)" in err
    code, _, err = run("legal", "deadline", "--from", "20260212", "--working-days", "5")
    assert code == 1 and "is not a date" in err
    code, _, err = run("legal", "deadline", "--from", "2026-02-12", "--working-days", "-3")
    assert code == 1 and "working_days must be at least 1" in err
    code, _, err = run("legal", "deadline", "--from", "2026-02-12", "--working-days", "5", "--calendar-days", "5")
    assert code == 1 and "exactly one of" in err
    code, _, err = run("legal", "deadline", "--from", "2026-02-12", "--days", "5", "--law", "tax")
    assert code == 1 and "unknown law" in err


def test_seed_calendar(cli_db: str) -> None:
    with session_scope(engine_for(cli_db)) as s:
        service.unschedule_year(s, SYSTEM, 2026)
    code, _, err = run("legal", "deadline", "--from", "2026-02-12", "--working-days", "5")
    assert code == 1 and "2026" in err
    code, out, _ = run("legal", "seed-calendar")
    assert code == 0 and 2026 in json.loads(out)["added_years"]
    with session_scope(engine_for(cli_db)) as s:
        assert s.scalar(select(CalendarYear.updated_by).where(CalendarYear.year == 2026)) == "system"
    code, out, _ = run("legal", "deadline", "--from", "2026-02-12", "--working-days", "5")
    assert code == 0 and json.loads(out)["due"] == "2026-02-26"


def test_surcharge() -> None:
    code, out, _ = run("legal", "surcharge", "--fine", "2000", "--due", "2026-03-01", "--paid", "2026-03-11")
    assert code == 0
    result = json.loads(out)
    assert (result["surcharge_yuan"], result["days_late"]) == ("600.00", 10)
    code, out, _ = run(
        "legal", "surcharge", "--fine", "1000", "--due", "2026-03-01", "--paid", "2026-05-30", "--suspended-days", "60"
    )
    assert code == 0 and (json.loads(out)["surcharge_yuan"], json.loads(out)["days_charged"]) == ("900.00", 30)
    code, out, _ = run("legal", "surcharge", "--fine", "1.50", "--due", "2026-03-01", "--paid", "2026-03-02")
    assert code == 0 and json.loads(out)["surcharge_yuan"] == "0.05"
    code, out, _ = run("legal", "surcharge", "--fine", "2000", "--due", "2026-03-01", "--paid", "2026-03-01")
    assert code == 0 and json.loads(out)["surcharge_yuan"] == "0.00" and json.loads(out)["days_late"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fine", "-100", "--due", "2026-03-01", "--paid", "2026-03-11"], "fine_yuan: must not be negative"),
        (["--fine", "abc", "--due", "2026-03-01", "--paid", "2026-03-11"], "is not an amount in yuan"),
        (["--fine", "100", "--due", "2026-02-30", "--paid", "2026-03-11"], "--due: '2026-02-30' is not a date"),
        (["--fine", "100", "--due", "2026-03-01", "--paid", "tomorrow"], "--paid: 'tomorrow' is not a date"),
        (["--fine", "100", "--due", "2026-03-01", "--paid", "2026-03-11", "--suspended-days", "-1"], "negative"),
        (["--fine", "100", "--due", "2026-03-01", "--paid", "2026-03-11", "--suspended-days", "11"], "exceed"),
    ],
)
def test_surcharge_errors(args: list[str], message: str) -> None:
    code, out, err = run("legal", "surcharge", *args)
    assert code == 1 and out == "" and err.startswith("error: ") and message in err


def test_penalty_quote(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", raising=False)
    code, out, _ = run("penalty", "quote", "--matter", "road.overload", "--excess-kg", "1000")
    assert code == 0
    result = json.loads(out)
    assert (result["fine_yuan"], result["warning"]) == ("0.00", True) and "第四十三条" in result["reason"]
    code, out, _ = run("penalty", "quote", "--matter", "road.overload", "--excess-kg", "61000")
    assert json.loads(out)["fine_yuan"] == "30000.00" and json.loads(out)["warning"] is False
    code, out, _ = run("penalty", "quote", "-m", "road.overload", "--excess-kg", "12345", "--height", "4.3")
    assert code == 0 and json.loads(out)["fine_yuan"] == "6200.00"
    assert json.loads(out)["range_yuan"] == {"min": "6200.00", "max": "7000.00"}
    code, out, _ = run("penalty", "quote", "-m", "road.overload", "--length", "28.01", "--width", "2.5")
    assert code == 0 and json.loads(out)["fine_yuan"] == "1000.00" and json.loads(out)["items"][0]["band"] == 3
    monkeypatch.setenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", "true")
    code, out, _ = run("penalty", "quote", "--matter", "road.overload", "--excess-kg", "1001")
    assert json.loads(out)["fine_yuan"] == "1000.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--matter", "road.damage", "--excess-kg", "5000"], "no penalty quote for matter 'road.damage'"),
        (["--matter", "road.overload", "--excess-kg", "-5"], "excess_kg: must not be negative"),
        (["--matter", "road.overload", "--height", "tall"], "height_m"),
        (["--matter", "road.overload", "--width", "-3"], "width_m"),
    ],
)
def test_penalty_quote_errors(args: list[str], message: str) -> None:
    code, out, err = run("penalty", "quote", *args)
    assert code == 1 and out == "" and message in err
