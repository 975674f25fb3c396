"""Ship passage ↔ AIS crossing matching (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pyais import encode_dict
from shapely.geometry import LineString, MultiLineString

from zhifa.geo.metric import LocalProjection
from zhifa.monitoring.passage import Crossing, PassageDecision, crossings, decidable, decide_passage
from zhifa.sensing.ais import Fix, decode_lines, position_fix

# A north-south crossing line 400 m long on the Yangtze at Zhenjiang, centred on (119.45, 32.21).
LON0, LAT0 = 119.45, 32.21
PROJ = LocalProjection(LON0, LAT0)
HALF_M = 200.0
LINE = LineString([PROJ.inverse(0.0, -HALF_M), PROJ.inverse(0.0, HALF_M)])
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
KNOT = 1852.0 / 3600.0  # m/s


def fix_at(mmsi: str, seconds: float, x: float, y: float = 0.0) -> Fix:
    lon, lat = PROJ.inverse(x, y)
    return Fix(mmsi, T0 + timedelta(seconds=seconds), float(lon), float(lat))


def track(
    mmsi: str, *, x0: float, speed_kn: float, every_s: float, count: int, y: float = 0.0, start_s: float = 0.0
) -> list[Fix]:
    """A vessel steaming due east (west if speed < 0) along y, reporting every ``every_s``."""
    v = speed_kn * KNOT
    return [fix_at(mmsi, start_s + i * every_s, x0 + v * i * every_s, y) for i in range(count)]


def crossing(mmsi: str, seconds: float) -> Crossing:
    t = T0 + timedelta(seconds=seconds)
    return Crossing(mmsi, t, LON0, LAT0, t - timedelta(seconds=30), t + timedelta(seconds=30))


# --- crossings ------------------------------------------------------------------------------


def test_crossing_time_is_interpolated() -> None:
    # 8.5 kn = 4.373 m/s from 500 m west, reporting every 60 s: the line is crossed at
    # 500 / 4.373 = 114.3 s, between the fixes at 60 s and 120 s.
    fixes = track("413123456", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6)
    [found] = crossings(fixes, LINE)
    expected = T0 + timedelta(seconds=500.0 / (8.5 * KNOT))
    assert found.mmsi == "413123456"
    assert abs((found.time - expected).total_seconds()) <= 2.0
    assert (found.fix_before, found.fix_after) == (T0 + timedelta(seconds=60), T0 + timedelta(seconds=120))
    assert found.lon == pytest.approx(LON0, abs=1e-6) and found.lat == pytest.approx(LAT0, abs=1e-6)


def test_frequent_fixes_near_the_line_still_give_one_crossing() -> None:
    # Every 10 s at 8.5 kn = 44 m per fix: several segments lie inside the 50 m buffer.
    fixes = track("413123456", x0=-300.0, speed_kn=8.5, every_s=10.0, count=20)
    [found] = crossings(fixes, LINE)
    expected = T0 + timedelta(seconds=300.0 / (8.5 * KNOT))
    assert abs((found.time - expected).total_seconds()) <= 1.0


def test_input_order_and_other_vessels_do_not_matter() -> None:
    a = track("413000001", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6)
    b = track("413000002", x0=400.0, speed_kn=-10.0, every_s=30.0, count=10)
    found = crossings(list(reversed(a + b)), LINE)
    assert [c.mmsi for c in found] == ["413000002", "413000001"]  # sorted by time
    assert found == sorted(found, key=lambda c: c.time)
    assert crossings(a, LINE) == [c for c in found if c.mmsi == "413000001"]


@pytest.mark.parametrize(
    ("gap_s", "expected"),
    [
        (660.0, 0),  # 11 min apart: not interpolated
        (600.0, 1),  # exactly 10 min: still interpolated
        (300.0, 1),
    ],
)
def test_fixes_too_far_apart_are_not_joined(gap_s: float, expected: int) -> None:
    fixes = [fix_at("413123456", 0.0, -400.0), fix_at("413123456", gap_s, 400.0)]
    assert len(crossings(fixes, LINE)) == expected


def test_max_gap_is_configurable() -> None:
    fixes = [fix_at("413123456", 0.0, -400.0), fix_at("413123456", 300.0, 400.0)]
    assert crossings(fixes, LINE, max_gap_s=200.0) == []


@pytest.mark.parametrize(
    ("offset_m", "buffer_m", "expected"),
    [
        (40.0, 50.0, 1),  # passes 40 m beyond the line's north end: inside the buffer
        (70.0, 50.0, 0),  # 70 m: outside
        (70.0, 80.0, 1),  # a wider buffer takes it
        (-40.0, 50.0, 1),  # 40 m inside the end: a true crossing
    ],
)
def test_passing_beside_the_end_of_the_line(offset_m: float, buffer_m: float, expected: int) -> None:
    y = HALF_M + offset_m
    fixes = track("413123456", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6, y=y)
    found = crossings(fixes, LINE, buffer_m=buffer_m)
    assert len(found) == expected
    if expected:
        # The nearest approach (or the crossing) is at x = 0: 500 m after the start.
        target = T0 + timedelta(seconds=500.0 / (8.5 * KNOT))
        assert abs((found[0].time - target).total_seconds()) <= 2.0


def test_lone_fix_at_the_checkpoint_counts() -> None:
    fixes = [
        fix_at("413000001", 0.0, -30.0),  # one report, 30 m from the line
        fix_at("413000002", 0.0, -80.0),  # one report, 80 m away
        fix_at("413000003", 0.0, -2000.0),  # 11 min gaps: three lone fixes, one inside the buffer
        fix_at("413000003", 660.0, 20.0),
        fix_at("413000003", 1320.0, 2000.0),
    ]
    found = crossings(fixes, LINE)
    assert [(c.mmsi, c.time) for c in found] == [
        ("413000001", T0),
        ("413000003", T0 + timedelta(seconds=660)),
    ]
    assert found[0].fix_before == found[0].fix_after == T0


def test_same_ship_crossing_twice() -> None:
    # East across the line, turns round 250 m beyond it, back west across it.
    east = track("413123456", x0=-500.0, speed_kn=8.5, every_s=60.0, count=4)  # ends at x = +287
    back = track("413123456", x0=287.0, speed_kn=-8.5, every_s=60.0, count=4, start_s=240.0)
    found = crossings(east + back, LINE)
    assert len(found) == 2
    assert all(c.mmsi == "413123456" for c in found)
    assert found[0].time < found[1].time


def test_equal_times_are_skipped_and_timeless_fixes_ignored() -> None:
    fixes = track("413123456", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6)
    duplicate = Fix(fixes[2].mmsi, fixes[2].time, fixes[2].lon + 0.001, fixes[2].lat)
    timeless = Fix("413999999", None, LON0, LAT0)
    [found] = crossings([*fixes, duplicate, timeless], LINE)
    expected = T0 + timedelta(seconds=500.0 / (8.5 * KNOT))
    assert abs((found.time - expected).total_seconds()) <= 2.0


def test_stationary_ship_in_the_buffer_is_one_crossing() -> None:
    fixes = [fix_at("413123456", s, -20.0) for s in (0.0, 180.0, 360.0)]
    assert [c.time for c in crossings(fixes, LINE)] == [T0]


def test_ship_sailing_along_the_line_crosses_where_it_enters() -> None:
    # Heading north on the line itself from 300 m south of it: it meets the line at its south
    # end, 100 m after the start.
    fixes = [fix_at("413123456", 60.0 * i, 0.0, -300.0 + 50.0 * i) for i in range(8)]
    found = crossings(fixes, LINE)
    assert found[0].time == T0 + timedelta(seconds=120)
    assert {c.mmsi for c in found} == {"413123456"}


def test_multi_part_line() -> None:
    west = LineString([PROJ.inverse(-1000.0, -HALF_M), PROJ.inverse(-1000.0, HALF_M)])
    fixes = track("413123456", x0=-1500.0, speed_kn=10.0, every_s=60.0, count=12)
    found = crossings(fixes, MultiLineString([LINE, west]))
    assert len(found) == 2
    assert [round(c.lon, 4) for c in found] == [round(float(PROJ.inverse(-1000.0, 0.0)[0]), 4), LON0]


def test_no_fixes() -> None:
    assert crossings([], LINE) == []


def test_naive_fix_time_is_refused() -> None:
    naive = Fix("413123456", datetime(2026, 11, 28, 8, 0), LON0, LAT0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        crossings([naive], LINE)


def test_end_to_end_from_nmea() -> None:
    """Sentences as a receiver would POST them → fixes → crossing → linked passage."""
    lines: list[str] = []
    times: list[datetime] = []
    for f in track("413123456", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6):
        lines += encode_dict(
            {"type": 1, "mmsi": 413123456, "lon": f.lon, "lat": f.lat, "speed": 8.5, "course": 90, "status": 0},
            sentence_type="VDM",
        )
        assert f.time is not None
        times.append(f.time)
    fixes = []
    for line, at in zip(lines, times, strict=True):
        messages, _ = decode_lines([line], at)
        fixes += [fx for m in messages if (fx := position_fix(m)) is not None]
    found = crossings(fixes, LINE)
    decision = decide_passage(T0 + timedelta(seconds=100), found)
    assert decision.outcome == "linked" and decision.mmsi == "413123456"


# --- decide_passage -------------------------------------------------------------------------

PASSAGE = T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("offsets", "outcome", "candidates"),
    [
        ({}, "dark", []),
        ({"413000001": [150.0]}, "dark", []),  # crossed 150 s after: outside ±120 s
        ({"413000001": [-121.0]}, "dark", []),
        ({"413000001": [30.0]}, "linked", [("413000001", 30.0)]),
        ({"413000001": [120.0]}, "linked", [("413000001", 120.0)]),  # the window is inclusive
        ({"413000001": [-120.0]}, "linked", [("413000001", -120.0)]),
        ({"413000001": [30.0], "413000002": [150.0]}, "linked", [("413000001", 30.0)]),
        # the same ship twice in the window: one candidate, its nearest crossing
        ({"413000001": [-90.0, 40.0]}, "linked", [("413000001", 40.0)]),
        # two ships within ±120 s: a person decides; nearest first
        (
            {"413000001": [100.0], "413000002": [-20.0]},
            "ambiguous",
            [("413000002", -20.0), ("413000001", 100.0)],
        ),
        # equal |Δt|: by MMSI
        (
            {"413000009": [60.0], "413000002": [-60.0], "413000005": [110.0, -5.0]},
            "ambiguous",
            [("413000005", -5.0), ("413000002", -60.0), ("413000009", 60.0)],
        ),
    ],
)
def test_decide_passage(offsets: dict[str, list[float]], outcome: str, candidates: list[tuple[str, float]]) -> None:
    found = [crossing(mmsi, 600.0 + dt) for mmsi, dts in offsets.items() for dt in dts]
    decision = decide_passage(PASSAGE, found)
    assert decision.outcome == outcome
    assert [(c.mmsi, (c.time - PASSAGE).total_seconds()) for c in decision.candidates] == candidates
    assert decision.window_s == 120.0
    assert decision.mmsi == (candidates[0][0] if outcome == "linked" else None)


def test_decide_passage_custom_window() -> None:
    found = [crossing("413000001", 600.0 + 150.0)]
    assert decide_passage(PASSAGE, found, window_s=180.0) == PassageDecision("linked", tuple(found), 180.0)


def test_ships_crossing_in_the_field() -> None:
    """Two ships cross a minute apart: ambiguous for a passage between them, dark long after."""
    a = track("413000001", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6)  # crosses at ~114 s
    b = track("413000002", x0=-500.0, speed_kn=8.5, every_s=60.0, count=6, start_s=60.0)  # ~174 s
    found = crossings(a + b, LINE)
    assert decide_passage(T0 + timedelta(seconds=140), found).outcome == "ambiguous"
    assert decide_passage(T0 + timedelta(seconds=0), found).outcome == "linked"
    assert decide_passage(T0 + timedelta(seconds=450), found).outcome == "dark"


# --- decidable ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("watermark_s", "window_s", "lateness_s", "expected"),
    [
        (0.0, 120.0, 60.0, False),
        (179.0, 120.0, 60.0, False),
        (180.0, 120.0, 60.0, False),  # reached, not yet moved past
        (180.001, 120.0, 60.0, True),
        (3600.0, 120.0, 60.0, True),
        (120.5, 120.0, 0.0, True),
        (240.0, 120.0, 120.0, False),
    ],
)
def test_decidable(watermark_s: float, window_s: float, lateness_s: float, expected: bool) -> None:
    watermark = PASSAGE + timedelta(seconds=watermark_s)
    assert decidable(PASSAGE, watermark, window_s, lateness_s) is expected


def test_decidable_defaults_and_zones() -> None:
    from zoneinfo import ZoneInfo

    shanghai = PASSAGE.astimezone(ZoneInfo("Asia/Shanghai"))
    assert not decidable(shanghai, PASSAGE + timedelta(seconds=180))
    assert decidable(shanghai, PASSAGE + timedelta(seconds=181))
    with pytest.raises(ValueError, match="naive"):
        decidable(PASSAGE, datetime(2026, 11, 28, 9, 0))  # noqa: DTZ001
