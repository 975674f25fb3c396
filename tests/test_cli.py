"""The ``zhifa`` command end to end, in a subprocess, on its own fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA


@pytest.fixture()
def env(fresh_db_url: str, tmp_path: Path) -> dict[str, str]:
    # A database of its own: the CLI commits, and the shared test database must stay clean.
    return os.environ | {"ZHIFA_DATABASE_URL": fresh_db_url, "ZHIFA_VAR_DIR": str(tmp_path)}


def zhifa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhifa.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_import_and_route(env: dict[str, str]) -> None:
    for what, f in (("units", "units.csv"), ("jurisdiction", "map.geojson"), ("duties", "duties.csv")):
        r = zhifa(env, "import", what, str(DATA / f))
        assert r.returncode == 0, r.stderr
    r = zhifa(env, "route", "--matter", "road.overload", "--at", "G312 K1183+500")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["mode"] == "fallback"
    r = zhifa(env, "route", "--matter", "road.overload", "--at", "119.35,32.2003")
    out = json.loads(r.stdout)
    assert (out["unit"], out["mode"], out["outside_jurisdiction"]) == ("RD1", "strip", False)
    assert isinstance(out["unit"], str) and out["reason"]


def test_errors_exit_non_zero_with_a_message(env: dict[str, str], tmp_path: Path) -> None:
    zhifa(env, "import", "units", str(DATA / "units.csv"))
    r = zhifa(env, "route", "--matter", "nope.nope", "--at", "119.35,32.2")
    assert r.returncode != 0 and "unknown matter" in r.stderr
    r = zhifa(env, "route", "--matter", "road.overload", "--at", "here")
    assert r.returncode != 0 and "malformed location" in r.stderr
    bad = tmp_path / "bad.geojson"
    doc = json.loads((DATA / "map.geojson").read_text("utf-8"))
    doc["features"][0]["properties"]["unit"] = "GHOST"
    bad.write_text(json.dumps(doc), "utf-8")
    r = zhifa(env, "import", "jurisdiction", str(bad))
    assert r.returncode == 1 and "feature 1 (G312 西段): unit: unknown unit 'GHOST'" in r.stderr
    r = zhifa(env, "import", "units", str(tmp_path / "missing.csv"))
    assert r.returncode != 0 and "no such file" in r.stderr
