"""Monitoring rules (pure, no database): table-driven boundaries, exact arithmetic, windows,
folding and the lead status table."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.monitoring import rules
from zhifa.monitoring.rules import (
    LEAD_STATUSES,
    RULES,
    ConfigError,
    DimensionExcess,
    MonitoringConfig,
    OverloadFinding,
    ais_under_way,
    business_matter,
    can_transition,
    certificate_problem,
    check_overload,
    check_oversize,
    count_in_window,
    folds,
    gap_exceeded,
    gap_watched,
    is_hub_site,
    is_illegal_operation,
    is_repeat_overload,
    lead_statuses,
    name_mismatch,
    overload_limit_kg,
    ship_type_mismatch,
    station_sends_position,
)
from zhifa.org.matters import BASE_MATTERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "monitoring-rules.md"
AT = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
DEFAULT = MonitoringConfig()

# ---------------------------------------------------------------------------------------------
# Overload limits (超限运输车辆行驶公路管理规定 第三条第一款第（四）至（八）项)
# ---------------------------------------------------------------------------------------------

# (axles, combination, single_drive_axle, limit): combination only matters for 3 and 4 axles,
# a single drive axle only for 6 or more.
LIMITS = [
    (2, False, False, 18_000),
    (2, True, False, 18_000),
    (2, False, True, 18_000),
    (3, False, False, 25_000),
    (3, True, False, 27_000),
    (3, False, True, 25_000),
    (4, False, False, 31_000),
    (4, True, False, 36_000),
    (4, True, True, 36_000),
    (5, False, False, 43_000),
    (5, True, False, 43_000),
    (5, False, True, 43_000),
    (6, False, False, 49_000),
    (6, True, False, 49_000),
    (6, False, True, 46_000),
    (6, True, True, 46_000),
    (7, False, False, 49_000),
    (7, False, True, 46_000),
    (12, False, False, 49_000),
    (12, False, True, 46_000),
]


@pytest.mark.parametrize(("axles", "combination", "single", "limit"), LIMITS)
def test_overload_limit(axles: int, combination: bool, single: bool, limit: int) -> None:
    assert overload_limit_kg(axles, combination, single) == limit


def test_no_limit_comes_from_the_obsolete_2000_rule() -> None:
    limits = {overload_limit_kg(a, c, s) for a in range(2, 13) for c in (False, True) for s in (False, True)}
    assert limits == {18_000, 25_000, 27_000, 31_000, 36_000, 43_000, 46_000, 49_000}
    assert 40_000 not in limits


@pytest.mark.parametrize("axles", [0, 1, 13, -2, True, "6", 2.0])
def test_overload_limit_rejects_impossible_axles(axles: object) -> None:
    with pytest.raises(ValueError, match="axles"):
        overload_limit_kg(axles)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# check_overload boundaries
# ---------------------------------------------------------------------------------------------


def _boundary_rows() -> list[tuple[int, bool, bool, Decimal, bool]]:
    """For every axle class: at the limit, at limit × 1.05 exactly (not raised with 5 %), one kg
    above it (raised), one hundredth of a kg above it (raised)."""
    rows: list[tuple[int, bool, bool, Decimal, bool]] = []
    for axles, combination, single, limit in LIMITS:
        assert limit * 105 % 100 == 0  # every limit × 1.05 is a whole number of kg
        edge = limit * 105 // 100
        rows += [
            (axles, combination, single, Decimal(limit), False),
            (axles, combination, single, Decimal(edge - 1), False),
            (axles, combination, single, Decimal(edge), False),
            (axles, combination, single, Decimal(edge + 1), True),
            (axles, combination, single, Decimal(edge) + Decimal("0.01"), True),
        ]
    return rows


@pytest.mark.parametrize(("axles", "combination", "single", "gross", "raised"), _boundary_rows())
def test_overload_boundaries_with_5_percent(
    axles: int, combination: bool, single: bool, gross: Decimal, raised: bool
) -> None:
    found = check_overload(gross, axles, combination, single, Decimal("5"))
    assert (found is not None) is raised
    if found is not None:
        limit = overload_limit_kg(axles, combination, single)
        assert found.limit_kg == limit
        assert found.excess_kg == gross - limit
        assert found.gross_kg == gross
        assert found.tolerance_pct == Decimal("5")


# (gross, axles, combination, single, tolerance, raised, limit)
TOLERANCE_ROWS = [
    # tolerance 0: one kilogram (or one gram) over the limit is raised
    (18_000, 2, False, False, 0, False, 18_000),
    (18_001, 2, False, False, 0, True, 18_000),
    (Decimal("18000.001"), 2, False, False, "0", True, 18_000),
    (49_000, 6, False, False, Decimal(0), False, 49_000),
    # 2.5 %: 18,000 × 1.025 = 18,450
    (18_450, 2, False, False, Decimal("2.5"), False, 18_000),
    (Decimal("18450.01"), 2, False, False, Decimal("2.5"), True, 18_000),
    (18_451, 2, False, False, "2.5", True, 18_000),
    # tolerance given as text or int, as devices store it
    (18_900, 2, False, False, "5", False, 18_000),
    (18_901, 2, False, False, "5", True, 18_000),
    (18_900, 2, False, False, 5, False, 18_000),
    (" 18901 ", 2, False, False, " 5 ", True, 18_000),
    # 18,900 × 100 = 1,890,000 = 18,000 × 105: not raised
    (18_900, 2, False, False, Decimal("5"), False, 18_000),
    # combination and single-drive-axle variants at their own edges
    (28_350, 3, True, False, 5, False, 27_000),
    (28_351, 3, True, False, 5, True, 27_000),
    (26_251, 3, False, False, 5, True, 25_000),
    (37_800, 4, True, False, 5, False, 36_000),
    (37_801, 4, True, False, 5, True, 36_000),
    (48_300, 6, False, True, 5, False, 46_000),
    (48_301, 6, False, True, 5, True, 46_000),
    (48_301, 6, False, False, 5, False, 49_000),  # same weight, double drive axle: within
    (51_451, 6, False, False, 5, True, 49_000),
    # 0.1 %: 18,000 × 1.001 = 18,018 exactly (float arithmetic says it is over; see below)
    (18_018, 2, False, False, "0.1", False, 18_000),
    (18_019, 2, False, False, "0.1", True, 18_000),
]


@pytest.mark.parametrize(("gross", "axles", "combination", "single", "tolerance", "raised", "limit"), TOLERANCE_ROWS)
def test_overload_tolerances(
    gross: int | Decimal, axles: int, combination: bool, single: bool, tolerance: object, raised: bool, limit: int
) -> None:
    found = check_overload(gross, axles, combination, single, tolerance)  # type: ignore[arg-type]
    assert (found is not None) is raised
    if found is not None:
        assert found.limit_kg == limit
        assert found.excess_kg == Decimal(str(gross).strip()) - limit


def test_overload_exact_where_float_arithmetic_errs() -> None:
    # The float reading of the rule raises a lead the law does not allow ...
    assert 18_018 > 18_000 * (1 + 0.1 / 100)
    # ... the exact one does not: 18,018 × 100 = 1,801,800 = 18,000 × 100.1.
    assert check_overload(18_018, 2, tolerance_pct="0.1") is None


def test_overload_finding_records_the_quote_figures() -> None:
    found = check_overload(Decimal("30000.5"), 3, True, False, "5")
    assert found == OverloadFinding(
        gross_kg=Decimal("30000.5"),
        limit_kg=27_000,
        tolerance_pct=Decimal("5"),
        excess_kg=Decimal("3000.5"),
        axles=3,
        combination=True,
        single_drive_axle=False,
        permitted=False,
    )
    found = check_overload(30_000, 2, tolerance_pct=5)
    assert found is not None
    assert (found.gross_kg, found.limit_kg, found.tolerance_pct, found.excess_kg) == (
        Decimal(30_000),
        18_000,
        Decimal(5),
        Decimal(12_000),
    )
    # flags that do not apply to the axle class are not recorded as if they had mattered
    found = check_overload(30_000, 2, combination=True, single_drive_axle=True, tolerance_pct=5)
    assert found is not None and not found.combination and not found.single_drive_axle


def test_overload_permitted_is_still_raised_and_marked() -> None:
    found = check_overload(60_000, 6, tolerance_pct=5, permitted=True)
    assert found is not None and found.permitted
    assert check_overload(49_000, 6, tolerance_pct=5, permitted=True) is None


@pytest.mark.parametrize(
    ("gross", "tolerance", "error"),
    [
        (18_900.0, 5, TypeError),
        (18_900, 5.0, TypeError),
        (True, 5, TypeError),
        (-1, 5, ValueError),
        ("heavy", 5, ValueError),
        (Decimal("NaN"), 5, ValueError),
        (18_900, -1, ValueError),
        (18_900, 100, ValueError),
        (18_900, "Infinity", ValueError),
    ],
)
def test_overload_rejects_inexact_or_impossible_input(gross: object, tolerance: object, error: type) -> None:
    with pytest.raises(error):
        check_overload(gross, 2, tolerance_pct=tolerance)  # type: ignore[arg-type]


def _reference(gross: Decimal, limit: int, tolerance: Decimal) -> bool:
    return Fraction(gross) * 100 > Fraction(limit) * (100 + Fraction(tolerance))


@st.composite
def _weighings(draw: st.DrawFn) -> tuple[Decimal, int, bool, bool, Decimal]:
    axles = draw(st.integers(2, 12))
    combination, single = draw(st.booleans()), draw(st.booleans())
    tolerance = draw(st.decimals(min_value=0, max_value=Decimal("99.99"), places=2))
    limit = overload_limit_kg(axles, combination, single)
    edge = Decimal(limit) * (100 + tolerance) / 100  # exact: division by 100 only shifts digits
    gross = draw(
        st.one_of(
            st.decimals(min_value=0, max_value=200_000, places=3),
            st.sampled_from([Decimal("-0.001"), Decimal("-0.01"), Decimal(0), Decimal("0.001"), Decimal(1)]).map(
                lambda d: edge + d
            ),
        )
    )
    return gross, axles, combination, single, tolerance


@given(_weighings())
def test_overload_agrees_with_a_fraction_reference(case: tuple[Decimal, int, bool, bool, Decimal]) -> None:
    gross, axles, combination, single, tolerance = case
    limit = overload_limit_kg(axles, combination, single)
    found = check_overload(gross, axles, combination, single, tolerance)
    assert (found is not None) is _reference(gross, limit, tolerance)
    if found is not None:
        assert Fraction(found.excess_kg) == Fraction(gross) - limit


# ---------------------------------------------------------------------------------------------
# Oversize (第三条第一款第（一）至（三）项)
# ---------------------------------------------------------------------------------------------

# (height, width, length, exceeded: {dimension: excess})
OVERSIZE_ROWS: list[tuple[object, object, object, dict[str, Decimal]]] = [
    (None, None, None, {}),
    (Decimal("4.0"), Decimal("2.55"), Decimal("18.1"), {}),
    (Decimal("4"), "2.550", "18.10", {}),
    (4, None, None, {}),
    (Decimal("4.01"), None, None, {"height": Decimal("0.01")}),
    ("4.001", None, None, {"height": Decimal("0.001")}),
    (5, None, None, {"height": Decimal("1.0")}),
    (None, Decimal("2.56"), None, {"width": Decimal("0.01")}),
    (None, Decimal("2.5501"), None, {"width": Decimal("0.0001")}),
    (None, None, Decimal("18.11"), {"length": Decimal("0.01")}),
    (None, None, Decimal("18.1"), {}),
    (
        Decimal("4.5"),
        Decimal("3"),
        Decimal("20"),
        {"height": Decimal("0.5"), "width": Decimal("0.45"), "length": Decimal("1.9")},
    ),
    (Decimal("3.9"), Decimal("2.6"), None, {"width": Decimal("0.05")}),
]


@pytest.mark.parametrize(("height", "width", "length", "exceeded"), OVERSIZE_ROWS)
def test_oversize(height: object, width: object, length: object, exceeded: dict[str, Decimal]) -> None:
    found = check_oversize(height, width, length, DEFAULT)  # type: ignore[arg-type]
    if not exceeded:
        assert found is None
        return
    assert found is not None
    assert found.dimensions == tuple(exceeded)
    assert {d.dimension: d.excess_m for d in found.exceeded} == exceeded
    for d in found.exceeded:
        assert d.excess_m == d.measured_m - d.limit_m


def test_oversize_limits_are_settings() -> None:
    config = MonitoringConfig(oversize_height_m=Decimal("4.2"))
    assert check_oversize(Decimal("4.1"), None, None, config) is None
    found = check_oversize(Decimal("4.3"), None, None, config)
    assert found is not None
    assert found.exceeded == (DimensionExcess("height", Decimal("4.3"), Decimal("4.2"), Decimal("0.1")),)


@pytest.mark.parametrize(("height", "error"), [(4.01, TypeError), (Decimal("-1"), ValueError), ("tall", ValueError)])
def test_oversize_rejects_bad_input(height: object, error: type) -> None:
    with pytest.raises(error, match="height_m"):
        check_oversize(height, None, None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Windows: repeat overload (公路安全保护条例 第六十六条), illegal operation
# ---------------------------------------------------------------------------------------------

YEAR = timedelta(days=365)
WEEK = timedelta(days=7)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("offsets", "window", "count"),
    [
        ([], timedelta(hours=1), 0),
        ([timedelta(0)], timedelta(0), 1),  # the instant itself
        ([timedelta(hours=1)], timedelta(hours=1), 1),  # the start is inside
        ([timedelta(hours=1) + S], timedelta(hours=1), 0),
        ([-S], timedelta(hours=1), 0),  # after `at`: not counted
        ([timedelta(0), timedelta(minutes=30), timedelta(hours=2)], timedelta(hours=1), 2),
    ],
)
def test_count_in_window(offsets: list[timedelta], window: timedelta, count: int) -> None:
    assert count_in_window([AT - o for o in offsets], AT, window) == count


def test_count_in_window_compares_instants_across_zones() -> None:
    shanghai = AT.astimezone(ZoneInfo("Asia/Shanghai"))
    assert count_in_window([shanghai - timedelta(hours=1)], AT, timedelta(hours=1)) == 1


@pytest.mark.parametrize(
    ("previous", "repeat"),
    [
        ([], False),
        ([timedelta(days=10), timedelta(days=100)], False),  # the current one is the 3rd
        ([timedelta(days=10), timedelta(days=100), timedelta(days=200)], True),  # the 4th
        ([timedelta(days=1), timedelta(days=2), timedelta(days=3), timedelta(days=4)], True),
        ([timedelta(days=10), timedelta(days=100), YEAR], True),  # exactly 365 days back: inside
        ([timedelta(days=10), timedelta(days=100), YEAR + S], False),  # just outside: only 3
        ([timedelta(days=400), timedelta(days=500), timedelta(days=600)], False),
    ],
)
def test_repeat_overload(previous: list[timedelta], repeat: bool) -> None:
    assert is_repeat_overload([AT - p for p in previous], AT, DEFAULT) is repeat


def test_repeat_overload_threshold_is_a_setting() -> None:
    config = MonitoringConfig(repeat_overload_count=2, repeat_overload_window_days=30)
    assert is_repeat_overload([AT - timedelta(days=1), AT - timedelta(days=2)], AT, config)
    assert not is_repeat_overload([AT - timedelta(days=1), AT - timedelta(days=31)], AT, config)


@pytest.mark.parametrize(
    ("captures", "certified", "illegal"),
    [
        ([timedelta(days=d) for d in (0, 1, 2, 3)], False, False),  # 4 in 7 days
        ([timedelta(days=d) for d in (0, 1, 2, 3, 4)], False, True),  # 5 in 7 days
        ([timedelta(days=d) for d in (0, 1, 2, 3, 4)], True, False),  # valid certificate
        ([timedelta(0), timedelta(days=1), timedelta(days=2), timedelta(days=3), WEEK], False, True),
        ([timedelta(0), timedelta(days=1), timedelta(days=2), timedelta(days=3), WEEK + S], False, False),
        ([timedelta(minutes=m) for m in range(6)], False, True),
    ],
)
def test_illegal_operation(captures: list[timedelta], certified: bool, illegal: bool) -> None:
    assert is_illegal_operation([AT - c for c in captures], AT, certified, DEFAULT) is illegal


@pytest.mark.parametrize(
    ("site_type", "hub"),
    [
        ("railway_station", True),
        ("bus_station", True),
        ("airport", True),
        ("port_terminal", False),
        ("logistics_park", False),
        (None, False),
        ("Airport", False),
    ],
)
def test_hub_sites(site_type: str | None, hub: bool) -> None:
    assert is_hub_site(site_type, DEFAULT) is hub


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------

ON = date(2026, 6, 7)


@pytest.mark.parametrize(
    ("status", "expiry", "problem"),
    [
        ("valid", ON, None),  # valid through its expiry day
        ("valid", ON - timedelta(days=1), "expired"),  # the day after expiry
        ("valid", ON + timedelta(days=1), None),
        ("valid", None, None),
        (None, ON, None),
        (None, ON - timedelta(days=1), "expired"),
        ("", ON - timedelta(days=1), "expired"),
        ("revoked", ON + timedelta(days=300), "revoked"),
        ("revoked", ON - timedelta(days=1), "revoked"),  # revocation wins
        ("suspended", None, "suspended"),
        ("suspended", ON - timedelta(days=1), "suspended"),
        ("expired", ON + timedelta(days=1), "expired"),
        (" Valid ", ON, None),
        ("REVOKED", None, "revoked"),
        ("none", ON - timedelta(days=1), None),  # no certificate: illegal operation's business
    ],
)
def test_certificate_problem(status: str | None, expiry: date | None, problem: str | None) -> None:
    assert certificate_problem(status, expiry, ON) == problem


def test_certificate_problem_refuses_unknown_status_and_datetimes() -> None:
    with pytest.raises(ValueError, match="status"):
        certificate_problem("cancelled", None, ON)
    with pytest.raises(TypeError, match="on"):
        certificate_problem("valid", ON, AT)


# ---------------------------------------------------------------------------------------------
# AIS
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sog", "under_way"),
    [
        (0, None, True),
        (8, 0.0, True),
        (1, 0.5, False),  # at anchor, exactly the threshold: not above it
        (1, 0.51, True),
        (5, 0.6, True),  # moored but moving: treated as under way
        (None, 0.6, True),
        (None, None, False),
        (15, 0.0, False),
        (5, 102.3, False),  # "not available"
        (5, 150.0, False),
        (5, float("nan"), False),
        (None, 0.5000001, True),
    ],
)
def test_ais_under_way(status: int | None, sog: float | None, under_way: bool) -> None:
    assert ais_under_way(status, sog, DEFAULT) is under_way


@pytest.mark.parametrize(
    ("mmsi", "status", "sog", "watched"),
    [
        ("413000001", 0, 8.0, True),  # a ship under way
        (413000001, None, 0.6, True),
        ("413000001", 1, 0.0, False),  # a ship at anchor
        ("002734567", 0, 8.0, False),  # a base station's bogus class A position (ais_mismatch only)
        ("994136001", 0, 8.0, False),  # an aid to navigation
        ("111413001", None, 120.0, False),  # a SAR aircraft
        ("970123456", 0, 8.0, False),  # an AIS-SART
        ("not-an-mmsi", 0, 8.0, False),
    ],
)
def test_gap_watched_only_ships(mmsi: str | int, status: int | None, sog: float | None, watched: bool) -> None:
    assert gap_watched(mmsi, status, sog, DEFAULT) is watched


def test_ais_under_way_settings() -> None:
    config = MonitoringConfig(ais_under_way_statuses=frozenset({0}), ais_under_way_sog_kn=Decimal("1"))
    assert not ais_under_way(8, 0.9, config)
    assert ais_under_way(8, 1.1, config)


@pytest.mark.parametrize(("silent_s", "gap"), [(0, False), (599, False), (600, False), (601, True), (86_400, True)])
def test_gap_exceeded(silent_s: int, gap: bool) -> None:
    assert gap_exceeded(AT, AT + timedelta(seconds=silent_s), DEFAULT) is gap


def test_times_must_be_aware() -> None:
    naive = datetime(2026, 6, 1, 2, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        gap_exceeded(naive, AT)
    with pytest.raises(ValueError, match="naive"):
        count_in_window([naive], AT, WEEK)
    with pytest.raises(ValueError, match="naive"):
        folds("overload", naive, "new", AT)


@pytest.mark.parametrize(
    ("mmsi", "msg_type", "mismatch"),
    [
        ("004123456", 1, True),  # base station sending a class A position
        ("004123456", 18, True),
        ("004123456", 4, False),  # its own base-station report
        ("994123456", 3, True),  # AtoN
        ("994123456", 19, True),
        ("994123456", 21, False),
        (4123456, 1, True),  # numeric MMSI: leading zeros restored
        ("412345678", 1, False),  # a ship
        ("412345678", 18, False),
        ("not-an-mmsi", 1, False),
    ],
)
def test_station_sends_position(mmsi: str | int, msg_type: int, mismatch: bool) -> None:
    assert station_sends_position(mmsi, msg_type) is mismatch


@pytest.mark.parametrize(
    ("vehicle_type", "matter"),
    [
        ("taxi", "passenger.taxi"),
        ("Taxi ", "passenger.taxi"),
        ("出租车", "passenger.taxi"),
        ("巡游出租汽车", "passenger.taxi"),
        ("ride_hailing", "passenger.ride_hailing"),
        ("网约车", "passenger.ride_hailing"),
        ("网约出租车", "passenger.ride_hailing"),  # ride-hailing, though it says 出租
        ("网络预约出租汽车", "passenger.ride_hailing"),
        ("bus", "passenger.bus"),
        ("coach", "passenger.bus"),
        ("公交车", "passenger.bus"),
        ("城市公共汽车", "passenger.bus"),
        ("大型普通客车", "passenger.bus"),
        ("客运班车", "passenger.bus"),
        ("driving_school_car", "driving.school"),
        ("教练车", "driving.school"),
        ("小型客车（教练）", "driving.school"),  # a 客车, but a driving school's
        ("truck", "freight.operation"),
        ("tractor", "freight.operation"),
        ("重型半挂牵引车", "freight.operation"),
        ("重型普通货车", "freight.operation"),
        ("", "freight.operation"),
        (None, "freight.operation"),
    ],
)
def test_business_matter(vehicle_type: str | None, matter: str) -> None:
    assert business_matter(vehicle_type) == matter


@pytest.mark.parametrize(
    ("registry", "reported", "mismatch"),
    [
        ("CHANG HANG 1", "CHANG HANG 1", False),
        ("Chang Hang 1", "CHANG HANG 1@@@@@@@@", False),  # case, @ padding
        ("  CHANG   HANG  1 ", "CHANG HANG 1", False),  # spaces collapsed
        ("ＣＨＡＮＧ　ＨＡＮＧ　１", "CHANG HANG 1", False),  # full-width
        ("CHANG HANG 1", "CHANG HANG 2", True),
        ("CHANG HANG 1", "CHANGHANG 1", True),  # collapsing keeps one space
        ("苏镇货0001", "SUZHENHUO0001", False),  # Chinese vs pinyin: not comparable
        ("苏镇货0001", "ANYTHING", False),
        ("CHANG HANG 1", "@@@@@@@@@@@@@@@@@@@@", False),  # name not available
        ("", "CHANG HANG 1", False),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRST", False),  # AIS keeps 20 characters
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSX", True),
    ],
)
def test_name_mismatch(registry: str, reported: str, mismatch: bool) -> None:
    assert name_mismatch(registry, reported) is mismatch


@pytest.mark.parametrize(
    ("registry", "ais_type", "mismatch"),
    [
        ("cargo", 70, False),
        ("cargo", 79, False),
        ("cargo", 80, True),  # registered cargo, AIS tanker
        ("cargo", 60, True),
        ("tanker", 84, False),
        ("tanker", 70, True),
        ("passenger", 60, False),
        ("passenger", 69, False),
        ("passenger", 70, True),
        ("tug", 31, False),
        ("tug", 32, False),
        ("tug", 52, False),
        ("tug", 70, True),
        ("dredger", 33, False),
        ("dredger", 80, True),
        ("fishing", 30, False),
        ("fishing", 70, True),
        ("cargo", 0, False),  # not available
        ("cargo", 90, False),  # "other type"
        ("cargo", 56, False),  # local use
        ("cargo", 200, False),  # reserved
        ("barge", 80, False),  # unknown registry type: cannot contradict
        ("货船", 71, False),
        ("货船", 81, True),
        (" Tanker ", 80, False),
    ],
)
def test_ship_type_mismatch(registry: str, ais_type: int, mismatch: bool) -> None:
    assert ship_type_mismatch(registry, ais_type) is mismatch


@pytest.mark.parametrize("ais_type", [-1, 256, True])
def test_ship_type_rejects_impossible_codes(ais_type: int) -> None:
    with pytest.raises(ValueError, match="ais_type"):
        ship_type_mismatch("cargo", ais_type)


# ---------------------------------------------------------------------------------------------
# Folding
# ---------------------------------------------------------------------------------------------

DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("kind", "status", "offset", "folded"),
    [
        ("overload", "new", timedelta(0), True),
        ("overload", "new", timedelta(hours=3), True),
        ("overload", "new", DAY, True),  # exactly 24 h: inclusive
        ("overload", "new", DAY + S, False),
        ("overload", "new", -S, False),  # before the lead's first event
        ("overload", "confirmed", timedelta(hours=1), True),
        ("overload", "dispatched", timedelta(hours=1), True),
        ("overload", "closed", timedelta(hours=1), False),
        ("overload", "dismissed", timedelta(hours=1), False),
        ("overload", "merged", timedelta(hours=1), False),
        ("ais_gap", "ended", timedelta(hours=1), False),
        ("ais_gap", "new", DAY, True),
        ("ais_dark", "new", timedelta(0), False),  # never folds
        ("ais_ambiguous", "new", timedelta(seconds=1), False),
        ("watchlist", "new", timedelta(hours=1), True),
        ("certificate_expired", "dispatched", DAY, True),
    ],
)
def test_folds(kind: str, status: str, offset: timedelta, folded: bool) -> None:
    assert folds(kind, AT, status, AT + offset, DEFAULT) is folded


def test_fold_window_is_a_setting() -> None:
    config = MonitoringConfig(dedup_window_h=12)
    assert folds("overload", AT, "new", AT + timedelta(hours=12), config)
    assert not folds("overload", AT, "new", AT + timedelta(hours=12) + S, config)


def test_folds_refuses_unknown_kind_and_status() -> None:
    with pytest.raises(ValueError, match="kind"):
        folds("speeding", AT, "new", AT)
    with pytest.raises(ValueError, match="status"):
        folds("overload", AT, "open", AT)


# ---------------------------------------------------------------------------------------------
# Lead statuses
# ---------------------------------------------------------------------------------------------

ALLOWED = {
    ("new", "confirmed"),
    ("new", "dismissed"),
    ("new", "merged"),
    ("confirmed", "dispatched"),
    ("confirmed", "dismissed"),
    ("confirmed", "merged"),
    ("dispatched", "closed"),
}


@pytest.mark.parametrize("kind", list(RULES))
def test_transition_table(kind: str) -> None:
    for src in LEAD_STATUSES:
        for dst in LEAD_STATUSES:
            expected = (src, dst) in ALLOWED or (kind == "ais_gap" and (src, dst) == ("new", "ended"))
            assert can_transition(kind, src, dst) is expected, (kind, src, dst)


@pytest.mark.parametrize(
    ("kind", "src", "dst", "allowed"),
    [
        ("overload", "new", "confirmed", True),
        ("overload", "new", "dispatched", False),  # confirm first
        ("overload", "new", "closed", False),
        ("overload", "dispatched", "dismissed", False),
        ("overload", "closed", "new", False),  # no reopening
        ("overload", "new", "ended", False),
        ("ais_gap", "new", "ended", True),
        ("ais_gap", "confirmed", "ended", False),
        ("ais_gap", "ended", "new", False),
    ],
)
def test_transition_rows(kind: str, src: str, dst: str, allowed: bool) -> None:
    assert can_transition(kind, src, dst) is allowed


def test_statuses_per_kind() -> None:
    assert lead_statuses("ais_gap") == LEAD_STATUSES
    assert "ended" not in lead_statuses("overload")
    with pytest.raises(ValueError, match="status"):
        can_transition("overload", "new", "resolved")
    with pytest.raises(ValueError, match="kind"):
        can_transition("speeding", "new", "confirmed")


# ---------------------------------------------------------------------------------------------
# The registry of rules
# ---------------------------------------------------------------------------------------------

KINDS = [
    "overload",
    "oversize",
    "repeat_overload",
    "ais_dark",
    "ais_ambiguous",
    "ais_gap",
    "ais_mismatch",
    "certificate_expired",
    "illegal_operation",
    "watchlist",
]
MATTERS = {
    "overload": "road.overload",
    "oversize": "road.overload",
    "repeat_overload": "freight.operation",
    "ais_dark": "water.vessel",
    "ais_ambiguous": "water.vessel",
    "ais_gap": "water.ais",
    "ais_mismatch": "water.ais",
    "certificate_expired": None,
    "illegal_operation": "passenger.illegal_operation",
    "watchlist": None,
}


def test_rules_registry() -> None:
    assert list(RULES) == KINDS
    assert {k: r.matter for k, r in RULES.items()} == MATTERS
    assert all(r.matter is None or r.matter in BASE_MATTERS for r in RULES.values())
    versions = [r.version for r in RULES.values()]
    assert len(set(versions)) == len(versions)
    assert RULES["overload"].version == "overload/2016-62/1"
    for kind, info in RULES.items():
        assert info.kind == kind
        assert info.version.startswith(f"{kind}/") and len(info.version) <= 48
        assert re.search(r"第[一二三四五六七八九十百]+条", info.legal_basis), kind
        assert info.title_zh and info.severity in rules.SEVERITIES
        assert info.foldable is (kind not in ("ais_dark", "ais_ambiguous"))
    assert "第六十六条" in RULES["repeat_overload"].legal_basis
    assert "交通运输部令2016年第62号" in RULES["overload"].legal_basis


def test_rule_info_validates_itself() -> None:
    with pytest.raises(ValueError, match="severity"):
        rules.RuleInfo("x", "x/1", None, "某法 第一条", "x", "vehicle", severity="urgent")
    with pytest.raises(ValueError, match="version"):
        rules.RuleInfo("x", "y/1", None, "某法 第一条", "x", "vehicle")


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def test_config_defaults() -> None:
    c = MonitoringConfig()
    assert (c.oversize_height_m, c.oversize_width_m, c.oversize_length_m) == (
        Decimal("4.0"),
        Decimal("2.55"),
        Decimal("18.1"),
    )
    assert (c.repeat_overload_count, c.repeat_overload_window) == (3, timedelta(days=365))
    assert (c.illegal_operation_captures, c.illegal_operation_window) == (5, timedelta(days=7))
    assert c.hub_site_types == {"railway_station", "bus_station", "airport"}
    assert (c.ais_gap, c.ais_under_way_sog_kn, c.ais_under_way_statuses) == (
        timedelta(seconds=600),
        Decimal("0.5"),
        {0, 8},
    )
    assert c.dedup_window == timedelta(hours=24)
    assert (c.passage_window, c.passage_lateness) == (timedelta(seconds=120), timedelta(seconds=60))
    assert c.wim_tolerance_pct == Decimal("5") and isinstance(c.wim_tolerance_pct, Decimal)


def test_config_round_trip_and_conversion() -> None:
    assert MonitoringConfig.from_dict({}) == MonitoringConfig()
    assert MonitoringConfig.from_dict(MonitoringConfig().as_dict()) == MonitoringConfig()
    c = MonitoringConfig.from_dict(
        {
            "wim_tolerance_pct": 2.5,
            "oversize_width_m": "2.6",
            "ais_gap_s": "900",
            "dedup_window_h": 12.0,
            "hub_site_types": ["airport", " bus_station "],
            "ais_under_way_statuses": [0],
        }
    )
    assert c.wim_tolerance_pct == Decimal("2.5") and isinstance(c.wim_tolerance_pct, Decimal)
    assert c.oversize_width_m == Decimal("2.6")
    assert (c.ais_gap_s, c.dedup_window_h) == (900, 12)
    assert c.hub_site_types == {"airport", "bus_station"}
    assert MonitoringConfig.from_dict(c.as_dict()) == c
    assert MonitoringConfig.from_dict({"oversize_width_m": 2.55}).oversize_width_m == Decimal("2.55")
    assert MonitoringConfig.from_dict({"wim_tolerance_pct": 0}).wim_tolerance_pct == 0


@pytest.mark.parametrize(
    ("data", "settings"),
    [
        ({"wim_tolerance_pct": -1}, ["wim_tolerance_pct"]),
        ({"wim_tolerance_pct": 100}, ["wim_tolerance_pct"]),
        ({"wim_tolerance_pct": "five"}, ["wim_tolerance_pct"]),
        ({"wim_tolerance_pct": "NaN"}, ["wim_tolerance_pct"]),
        ({"wim_tolerance_pct": True}, ["wim_tolerance_pct"]),
        ({"oversize_height_m": 0}, ["oversize_height_m"]),
        ({"oversize_length_m": "-18.1"}, ["oversize_length_m"]),
        ({"ais_under_way_sog_kn": -0.1}, ["ais_under_way_sog_kn"]),
        ({"repeat_overload_count": 0}, ["repeat_overload_count"]),
        ({"repeat_overload_window_days": 365.5}, ["repeat_overload_window_days"]),
        ({"illegal_operation_captures": -5}, ["illegal_operation_captures"]),
        ({"illegal_operation_window_days": "seven"}, ["illegal_operation_window_days"]),
        ({"ais_gap_s": 0}, ["ais_gap_s"]),
        ({"dedup_window_h": None}, ["dedup_window_h"]),
        ({"passage_window_s": False}, ["passage_window_s"]),
        ({"passage_lateness_s": -60}, ["passage_lateness_s"]),
        ({"hub_site_types": []}, ["hub_site_types"]),
        ({"hub_site_types": "airport"}, ["hub_site_types"]),
        ({"ais_under_way_statuses": [16]}, ["ais_under_way_statuses"]),
        ({"ais_under_way_statuses": ["under way"]}, ["ais_under_way_statuses"]),
        ({"speed_limit": 5}, ["speed_limit"]),
        ({"ais_gap_s": 0, "oversize_width_m": "x", "nonsense": 1}, ["nonsense", "oversize_width_m", "ais_gap_s"]),
    ],
)
def test_config_validation_names_the_setting(data: dict[str, object], settings: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        MonitoringConfig.from_dict(data)
    assert sorted(caught.value.settings) == sorted(settings)
    assert isinstance(caught.value, ValueError)
    for name in settings:
        assert name in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"wim_tolerance_pct": 5.0}, "wim_tolerance_pct"),  # a float is not exact
        ({"wim_tolerance_pct": 5}, "wim_tolerance_pct"),  # build from_dict to convert
        ({"oversize_width_m": Decimal("Infinity")}, "oversize_width_m"),
        ({"ais_gap_s": 600.0}, "ais_gap_s"),
        ({"hub_site_types": {"airport"}}, "hub_site_types"),
    ],
)
def test_config_construction_demands_exact_types(kwargs: dict[str, object], setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        MonitoringConfig(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Documentation: every rule and setting is documented (docs/monitoring-rules.md)
# ---------------------------------------------------------------------------------------------


def test_every_rule_and_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, info in RULES.items():
        assert f"`{kind}`" in text, f"rule {kind} is not documented"
        assert info.version in text, f"version {info.version} is not documented"
        assert (info.matter or "") in text
    for name in MonitoringConfig().as_dict():
        assert f"`{name}`" in text, f"setting {name} is not documented"
