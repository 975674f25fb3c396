"""Monitoring rules: when a sensor event becomes a lead (线索). Pure: no database, no clock, no I/O.

Every rule has an entry in :data:`RULES` (kind, version, routing matter, legal basis, Chinese
title, default severity); a lead records the version of the rule that raised it. Thresholds live
in :class:`MonitoringConfig` (defaults below, validated when built; the service audits changes).
The checks take plain values and return a finding dataclass, a boolean or ``None``; looking
things up (the registry, earlier leads, permits) is the caller's job.

Conventions:

* **Exact arithmetic where the law counts.** Weights, dimensions and percentages are
  :class:`~decimal.Decimal` (or ``int``, or decimal text such as ``"2.5"``); floats are refused,
  because ``18900 * 100 > 18000 * 1.05 * 100`` is already wrong in binary floating point.
* **Time is explicit and aware.** Every ``datetime`` must carry a timezone (a naive one raises
  ``ValueError``); nothing here reads a clock. Dates (``on``) are the legal dates in Asia/Shanghai,
  computed by the caller.
* **Windows are closed:** an event exactly at the edge of a window is inside it.

See ``docs/monitoring-rules.md`` for each rule's legal basis and settings.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, Inexact, InvalidOperation, Rounded, localcontext
from typing import Any

from zhifa.validation import IdentifierError, parse_mmsi

# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------

SEVERITIES = ("low", "normal", "high")
#: What a lead of each kind is about (its *subject*): a vehicle is plate + colour, a vessel its
#: MMSI, a passage the one ship-passage event.
SUBJECTS = ("vehicle", "vessel", "vehicle_or_vessel", "passage")


@dataclass(frozen=True)
class RuleInfo:
    """One monitoring rule. ``matter`` is the routing matter code, or ``None`` when the matter
    comes from elsewhere (the vehicle's business, the watchlist entry). ``foldable`` says whether
    later events of the same subject fold into an open lead (see :func:`folds`)."""

    kind: str
    version: str
    matter: str | None
    legal_basis: str
    title_zh: str
    subject: str
    foldable: bool = True
    severity: str = "normal"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.kind}: unknown severity {self.severity!r}; one of {'|'.join(SEVERITIES)}")
        if self.subject not in SUBJECTS:
            raise ValueError(f"{self.kind}: unknown subject {self.subject!r}; one of {'|'.join(SUBJECTS)}")
        if not self.version.startswith(f"{self.kind}/") or len(self.version) > 48:
            raise ValueError(f"{self.kind}: version {self.version!r} must start with '{self.kind}/' (≤ 48 chars)")
        if not self.legal_basis.strip():
            raise ValueError(f"{self.kind}: legal basis is empty")


# The Ministry rule (超限运输车辆行驶公路管理规定, 交通运输部令2016年第62号) is not in the law
# folder; its article 3 is encoded from the published text. The 2000 rule (交通部令2000年第2号,
# 40,000/46,000 kg) it replaced is obsolete and must not be used.
_ORDER_62 = "超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）"
_AIS_BASIS = (
    "海上交通安全法 第三十六条：船舶在航行中应当按照有关规定开启船舶的自动识别……相关的装置，并持续进行显示和记录"
    "（第一百零三条第（四）项处罚；该法适用于管辖海域，第二条）；内河通航水域的 AIS 开启义务见交通运输部规章，"
    "内河交通安全管理条例 无专条"
)

RULES: dict[str, RuleInfo] = {
    r.kind: r
    for r in (
        RuleInfo(
            "overload",
            "overload/2016-62/1",
            "road.overload",
            f"{_ORDER_62} 第三条第一款第（四）至（八）项（车货总质量限值）、第四十三条第一款第（二）项（处罚）；"
            "公路安全保护条例 第三十三条：超过公路、公路桥梁、公路隧道限载、限高、限宽、限长标准的车辆，"
            "不得在公路、公路桥梁或者公路隧道行驶；第六十四条（责令改正，可以处3万元以下的罚款）；"
            "公路法 第五十条、第七十六条第（五）项",
            "车辆超限运输（总质量）",
            "vehicle",
        ),
        RuleInfo(
            "oversize",
            "oversize/2016-62/1",
            "road.overload",
            f"{_ORDER_62} 第三条第一款第（一）至（三）项（车货总高4米、总宽2.55米、总长18.1米）、"
            "第四十三条第一款第（一）项（处罚）；公路安全保护条例 第三十三条、第六十四条；公路法 第五十条",
            "车辆超限运输（外廓尺寸）",
            "vehicle",
        ),
        RuleInfo(
            "repeat_overload",
            "repeat_overload/2011-593-66/1",
            "freight.operation",
            "公路安全保护条例 第六十六条：对1年内违法超限运输超过3次的货运车辆，由道路运输管理机构吊销其车辆营运证",
            "货运车辆1年内违法超限运输超过3次",
            "vehicle",
            severity="high",
        ),
        RuleInfo(
            "ais_dark",
            "ais_dark/1",
            "water.vessel",
            _AIS_BASIS,
            "船舶过线无 AIS 信号",
            "passage",
            foldable=False,
            severity="high",
        ),
        RuleInfo(
            "ais_ambiguous",
            "ais_ambiguous/1",
            "water.vessel",
            _AIS_BASIS + "；本规则只为认定船舶身份，不认定违法",
            "船舶过线 AIS 候选不唯一",
            "passage",
            foldable=False,
            severity="low",
        ),
        RuleInfo(
            "ais_gap",
            "ais_gap/2",  # /2: ships' MMSIs only (not a base station's bogus position); port areas too
            "water.ais",
            _AIS_BASIS,
            "在航船舶 AIS 信号中断",
            "vessel",
        ),
        RuleInfo(
            "ais_mismatch",
            "ais_mismatch/1",
            "water.ais",
            _AIS_BASIS + "；船舶静态数据与登记不符（ITU-R M.1371 第5类报文）",
            "AIS 数据与登记信息不符",
            "vessel",
        ),
        RuleInfo(
            "certificate_expired",
            "certificate_expired/2",  # /2: Chinese vehicle types recognised (business_matter)
            None,
            "道路运输条例 第三十三条：道路运输车辆应当随车携带车辆营运证；"
            "第六十三条（未取得道路运输经营许可擅自经营）；"
            "内河交通安全管理条例 第六条：船舶具备下列条件，方可航行：（一）……持有合格的船舶检验证书；"
            "（二）……持有船舶登记证书；第六十四条；海上交通安全法 第三十三条、第九十五条（海域）",
            "证件过期或被吊销、暂扣",
            "vehicle_or_vessel",
        ),
        RuleInfo(
            "illegal_operation",
            "illegal_operation/1",
            "passenger.illegal_operation",
            "道路运输条例 第六十三条：有下列情形之一的，由县级以上地方人民政府交通运输主管部门责令停止经营，并处罚款……"
            "（二）未取得道路运输经营许可，擅自从事道路客运经营；"
            "出租汽车、网约车的非法经营按国务院另行规定的办法（第八十一条）及交通运输部规章处理",
            "疑似非法营运（黑车）",
            "vehicle",
        ),
        RuleInfo(
            "watchlist",
            "watchlist/1",
            None,
            "依名单条目所载依据，例如 行政处罚法 第七十二条：当事人逾期不履行行政处罚决定的……可以采取下列措施",
            "布控名单命中",
            "vehicle_or_vessel",
            severity="high",
        ),
    )
}
RULE_KINDS = tuple(RULES)


def _rule(kind: str) -> RuleInfo:
    try:
        return RULES[kind]
    except KeyError:
        raise ValueError(f"unknown rule kind {kind!r}; one of {'|'.join(RULE_KINDS)}") from None


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

DEFAULT_WIM_TOLERANCE_PCT = Decimal("5")
# 超限运输车辆行驶公路管理规定 第三条第一款第（一）至（三）项.
DEFAULT_MAX_HEIGHT_M = Decimal("4.0")
DEFAULT_MAX_WIDTH_M = Decimal("2.55")
DEFAULT_MAX_LENGTH_M = Decimal("18.1")
DEFAULT_HUB_SITE_TYPES = frozenset({"railway_station", "bus_station", "airport"})
# ITU-R M.1371 navigational status: 0 under way using engine, 8 under way sailing.
DEFAULT_UNDER_WAY_STATUSES = frozenset({0, 8})
DEFAULT_UNDER_WAY_SOG_KN = Decimal("0.5")


class ConfigError(ValueError):
    """A monitoring setting is invalid; ``settings`` names every setting at fault."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in problems))
        self.problems = problems
        self.settings = [name for name, _ in problems]


_DECIMAL_SETTINGS = frozenset(
    {"wim_tolerance_pct", "oversize_height_m", "oversize_width_m", "oversize_length_m", "ais_under_way_sog_kn"}
)


@dataclass(frozen=True)
class MonitoringConfig:
    """Every threshold of the monitoring rules, with its default. Build it from stored settings
    with :meth:`from_dict` (which converts and validates); construct it directly with the exact
    types (``Decimal``, ``int``, ``frozenset``). Invalid values raise :class:`ConfigError`
    (a ``ValueError``) naming the setting."""

    #: WIM device accuracy in percent ("5" = 5 %), used when the device records none.
    wim_tolerance_pct: Decimal = DEFAULT_WIM_TOLERANCE_PCT
    oversize_height_m: Decimal = DEFAULT_MAX_HEIGHT_M
    oversize_width_m: Decimal = DEFAULT_MAX_WIDTH_M
    oversize_length_m: Decimal = DEFAULT_MAX_LENGTH_M
    #: 公路安全保护条例 第六十六条: "1年内…超过3次" — a lead when the count *exceeds* this.
    repeat_overload_count: int = 3
    repeat_overload_window_days: int = 365
    #: A lead when a vehicle without a valid operating certificate has *at least* this many
    #: captures at hub sites within the window.
    illegal_operation_captures: int = 5
    illegal_operation_window_days: int = 7
    hub_site_types: frozenset[str] = DEFAULT_HUB_SITE_TYPES
    #: A vessel under way silent for *longer* than this is a gap.
    ais_gap_s: int = 600
    ais_under_way_sog_kn: Decimal = DEFAULT_UNDER_WAY_SOG_KN
    ais_under_way_statuses: frozenset[int] = DEFAULT_UNDER_WAY_STATUSES
    #: Events within this many hours of a lead's first event fold into it.
    dedup_window_h: int = 24
    #: An AIS crossing within this many seconds either side of a ship passage is a candidate.
    passage_window_s: int = 120
    #: How long after the window closes to wait for late AIS messages before deciding.
    passage_lateness_s: int = 60

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _DECIMAL_SETTINGS:
                if not isinstance(value, Decimal) or not value.is_finite():
                    problems.append((f.name, f"must be a finite Decimal, got {value!r}"))
                elif f.name == "wim_tolerance_pct" and not Decimal(0) <= value < 100:
                    problems.append((f.name, f"must be a percentage from 0 to below 100, got {value}"))
                elif f.name == "ais_under_way_sog_kn" and value < 0:
                    problems.append((f.name, f"must not be negative, got {value}"))
                elif f.name.startswith("oversize_") and value <= 0:
                    problems.append((f.name, f"must be a positive number of metres, got {value}"))
            elif f.name == "hub_site_types":
                if (
                    not isinstance(value, frozenset)
                    or not value
                    or not all(isinstance(v, str) and v.strip() and v == v.strip() for v in value)
                ):
                    problems.append((f.name, f"must be a non-empty frozenset of site types, got {value!r}"))
            elif f.name == "ais_under_way_statuses":
                if not isinstance(value, frozenset) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 15 for v in value
                ):
                    problems.append((f.name, f"must be a frozenset of AIS navigational statuses 0–15, got {value!r}"))
            elif isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                problems.append((f.name, f"must be a positive whole number, got {value!r}"))
        if problems:
            raise ConfigError(problems)

    # Durations as timedeltas, so callers never multiply units by hand.
    @property
    def repeat_overload_window(self) -> timedelta:
        return timedelta(days=self.repeat_overload_window_days)

    @property
    def illegal_operation_window(self) -> timedelta:
        return timedelta(days=self.illegal_operation_window_days)

    @property
    def ais_gap(self) -> timedelta:
        return timedelta(seconds=self.ais_gap_s)

    @property
    def dedup_window(self) -> timedelta:
        return timedelta(hours=self.dedup_window_h)

    @property
    def passage_window(self) -> timedelta:
        return timedelta(seconds=self.passage_window_s)

    @property
    def passage_lateness(self) -> timedelta:
        return timedelta(seconds=self.passage_lateness_s)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals as text (exact), sets as sorted lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Decimal):
                out[f.name] = str(value)
            elif isinstance(value, frozenset):
                out[f.name] = sorted(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MonitoringConfig:
        """Settings as stored (JSON): missing keys take their defaults; unknown keys, wrong types
        and out-of-range values raise :class:`ConfigError` naming every setting at fault.
        Decimals may be given as text, integers or (JSON) numbers; a float is read through its
        shortest text form, so ``2.55`` becomes ``Decimal("2.55")``."""
        if not isinstance(data, Mapping):
            raise ConfigError([("settings", "must be an object of setting: value")])
        known = {f.name for f in fields(cls)}
        problems = [(str(k), "unknown setting") for k in data if k not in known]
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name not in known:
                continue
            try:
                if name in _DECIMAL_SETTINGS:
                    values[name] = _setting_decimal(raw)
                elif name == "hub_site_types":
                    values[name] = _setting_set(raw, str)
                elif name == "ais_under_way_statuses":
                    values[name] = _setting_set(raw, int)
                else:
                    values[name] = _setting_int(raw)
            except ValueError as exc:
                problems.append((name, str(exc)))
        try:
            config = cls(**values)
        except ConfigError as exc:
            # Report the range problems of what did convert, alongside the conversion problems.
            problems += [(n, r) for n, r in exc.problems if n not in {p for p, _ in problems}]
        if problems:
            raise ConfigError(problems)
        return config


def _setting_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(f"must be a decimal number, got {raw!r}")
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"must be a decimal number, got {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"must be a finite number, got {raw!r}")
    return value


def _setting_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"must be a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise ValueError(f"must be a whole number, got {raw!r}")


def _setting_set(raw: Any, item: type) -> frozenset[Any]:
    if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
        raise ValueError(f"must be a list, got {raw!r}")
    out: set[Any] = set()
    for v in raw:
        if item is int:
            out.add(_setting_int(v))
        elif isinstance(v, str) and v.strip():
            out.add(v.strip())
        else:
            raise ValueError(f"must be a list of non-empty strings, got {v!r}")
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# Exact numbers and aware times
# ---------------------------------------------------------------------------------------------

DecimalLike = int | Decimal | str


def _decimal(value: DecimalLike, name: str) -> Decimal:
    """An exact decimal from an int, a Decimal or decimal text; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise TypeError(f"{name}: pass an int, a Decimal or decimal text, not {type(value).__name__} ({value!r})")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise ValueError(f"{name}: {value!r} is not a decimal number") from None
    if not result.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return result


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime {value.isoformat()}; times must be timezone-aware")
    return value


# ---------------------------------------------------------------------------------------------
# Overload (总质量超限)
# ---------------------------------------------------------------------------------------------

MIN_AXLES, MAX_AXLES = 2, 12


def overload_limit_kg(axles: int, combination: bool = False, single_drive_axle: bool = False) -> int:
    """The gross-weight limit (车货总质量限值) for a goods vehicle.

    超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）第三条第一款:
    (四) 2 axles 18,000 kg; (五) 3 axles 25,000, combination (汽车列车) 27,000;
    (六) 4 axles 31,000, combination 36,000; (七) 5 axles 43,000;
    (八) 6 or more axles 49,000, 46,000 when the tractor's drive axle is single.

    ``combination`` only changes 3 and 4 axles; ``single_drive_axle`` only applies to 6 or more
    axles (the article names it only there); elsewhere both are ignored. Not modelled here
    (第三条第二款, needs data a WIM station does not report): the 3,000 kg reduction for single
    tyres, the licensed mass of tractors and low-speed goods vehicles, and the GB 1589 vehicles
    the article does not deem over the limit — those are for the reviewing officer.
    """
    if isinstance(axles, bool) or not isinstance(axles, int):
        raise ValueError(f"axles: expected a whole number, got {axles!r}")
    if not MIN_AXLES <= axles <= MAX_AXLES:
        raise ValueError(f"axles: {axles} is outside {MIN_AXLES}–{MAX_AXLES}")
    if axles == 2:
        return 18_000
    if axles == 3:
        return 27_000 if combination else 25_000
    if axles == 4:
        return 36_000 if combination else 31_000
    if axles == 5:
        return 43_000
    return 46_000 if single_drive_axle else 49_000


@dataclass(frozen=True)
class OverloadFinding:
    """``excess_kg`` is ``gross_kg − limit_kg``: the figure the penalty takes (第四十三条第一款
    第（二）项: ≤ 1,000 kg warning, else 500 yuan per 1,000 kg, at most 30,000). The tolerance
    only decides *whether* a lead is raised. ``permitted``: the vehicle holds an oversize-transport
    permit for that road and date — raised for review, not as a violation."""

    gross_kg: Decimal
    limit_kg: int
    tolerance_pct: Decimal
    excess_kg: Decimal
    axles: int
    combination: bool
    single_drive_axle: bool
    permitted: bool = False


def check_overload(
    gross_kg: int | Decimal,
    axles: int,
    combination: bool = False,
    single_drive_axle: bool = False,
    tolerance_pct: Decimal | int | str = DEFAULT_WIM_TOLERANCE_PCT,
    *,
    permitted: bool = False,
) -> OverloadFinding | None:
    """A finding when ``gross_kg × 100 > limit_kg × (100 + tolerance_pct)``, compared exactly.

    ``tolerance_pct`` is the weighing device's accuracy in percent (``5`` = 5 %); a gross weight
    exactly at ``limit × (1 + tolerance)`` is *not* raised. A vehicle holding a valid
    超限运输许可 (公路安全保护条例 第三十五条、第三十八条) still gets a finding, marked
    ``permitted``, for review: the permit binds a route, time and load (第六十五条).
    """
    gross = _decimal(gross_kg, "gross_kg")
    if gross < 0:
        raise ValueError(f"gross_kg: negative weight {gross}")
    tolerance = _decimal(tolerance_pct, "tolerance_pct")
    if not Decimal(0) <= tolerance < 100:
        raise ValueError(f"tolerance_pct: {tolerance} is not a percentage from 0 to below 100")
    limit = overload_limit_kg(axles, combination, single_drive_axle)
    # Rounding would be a silent error here: trap it, so every product is exact or raises.
    with localcontext() as ctx:
        ctx.prec = 200
        ctx.traps[Inexact] = ctx.traps[Rounded] = True
        if not gross * 100 > limit * (100 + tolerance):
            return None
        excess = gross - limit
    return OverloadFinding(
        gross_kg=gross,
        limit_kg=limit,
        tolerance_pct=tolerance,
        excess_kg=excess,
        axles=axles,
        combination=combination and axles in (3, 4),
        single_drive_axle=single_drive_axle and axles >= 6,
        permitted=permitted,
    )


# ---------------------------------------------------------------------------------------------
# Oversize (外廓尺寸超限)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionExcess:
    dimension: str  # height | width | length
    measured_m: Decimal
    limit_m: Decimal
    excess_m: Decimal


@dataclass(frozen=True)
class OversizeFinding:
    exceeded: tuple[DimensionExcess, ...]

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(d.dimension for d in self.exceeded)


def check_oversize(
    height_m: DecimalLike | None,
    width_m: DecimalLike | None,
    length_m: DecimalLike | None,
    config: MonitoringConfig | None = None,
) -> OversizeFinding | None:
    """A finding listing each dimension strictly over its limit, and by how much.

    超限运输车辆行驶公路管理规定 第三条第一款: (一) 车货总高度从地面算起超过4米;
    (二) 车货总宽度超过2.55米; (三) 车货总长度超过18.1米. A dimension not reported (``None``) is
    not judged; a value exactly at the limit is not over it.
    """
    config = config or MonitoringConfig()
    limits = (
        ("height", height_m, config.oversize_height_m),
        ("width", width_m, config.oversize_width_m),
        ("length", length_m, config.oversize_length_m),
    )
    exceeded: list[DimensionExcess] = []
    for name, raw, limit in limits:
        if raw is None:
            continue
        measured = _decimal(raw, f"{name}_m")
        if measured < 0:
            raise ValueError(f"{name}_m: negative dimension {measured}")
        if measured > limit:
            exceeded.append(DimensionExcess(name, measured, limit, measured - limit))
    return OversizeFinding(tuple(exceeded)) if exceeded else None


# ---------------------------------------------------------------------------------------------
# Counting in windows: repeat overload, illegal operation
# ---------------------------------------------------------------------------------------------


def count_in_window(times: Sequence[datetime], at: datetime, window: timedelta) -> int:
    """How many of ``times`` fall in the closed window ``[at − window, at]``. Times after ``at``
    are not counted (a window looks back from the event being judged)."""
    _aware(at, "at")
    if window < timedelta(0):
        raise ValueError(f"window: negative duration {window}")
    start = at - window
    return sum(1 for t in times if start <= _aware(t, "times[]") <= at)


def is_repeat_overload(
    previous_overload_times: Sequence[datetime], at: datetime, config: MonitoringConfig | None = None
) -> bool:
    """公路安全保护条例 第六十六条: 对1年内违法超限运输超过3次的货运车辆，由道路运输管理机构
    吊销其车辆营运证. "超过3次" excludes 3 itself: the 4th overload within the window counts.

    ``previous_overload_times`` are the vehicle's *earlier* overloads (not the one at ``at``, which
    is added here); the window is ``[at − 365 days, at]`` by default. Which earlier overloads count
    as 违法超限运输 (only established ones, never permitted ones) is the caller's decision.
    """
    config = config or MonitoringConfig()
    previous = count_in_window(previous_overload_times, at, config.repeat_overload_window)
    return previous + 1 > config.repeat_overload_count


def is_hub_site(site_type: str | None, config: MonitoringConfig | None = None) -> bool:
    """Whether captures at a site of this type count towards illegal operation."""
    config = config or MonitoringConfig()
    return site_type is not None and site_type in config.hub_site_types


def is_illegal_operation(
    hub_capture_times: Sequence[datetime],
    at: datetime,
    has_valid_certificate: bool,
    config: MonitoringConfig | None = None,
) -> bool:
    """A vehicle without a valid operating certificate (车辆营运证) captured at passenger hubs at
    least 5 times within 7 days (``[at − 7 days, at]``) is suspected of unlicensed passenger
    operation (道路运输条例 第六十三条第（二）项). Captures are a pattern, not proof: the lead is
    for investigation.

    ``hub_capture_times`` are the vehicle's captures at hub sites (see :func:`is_hub_site`)
    *including* the one at ``at``. A vehicle with a valid certificate never raises this rule.
    """
    if has_valid_certificate:
        return False
    config = config or MonitoringConfig()
    return count_in_window(hub_capture_times, at, config.illegal_operation_window) >= config.illegal_operation_captures


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------

#: Registry certificate statuses (registry ``CERT_STATUSES``; ``expired`` accepted as imported).
CERTIFICATE_STATUSES = ("valid", "suspended", "revoked", "expired", "none")


def certificate_problem(status: str | None, expiry: date | None, on: date) -> str | None:
    """``revoked``, ``suspended``, ``expired`` or ``None`` for a certificate on the date ``on``.

    An expiry date is valid through that day: a certificate expiring on 6 June is expired on
    7 June. Revocation wins over suspension, suspension over expiry. ``none`` (no certificate at
    all) is not a problem of *this* rule — an unlicensed vehicle is :func:`is_illegal_operation`'s
    business — and ``None`` (status unknown) is judged by the expiry date alone. Basis: 道路运输条例
    第三十三条; 内河交通安全管理条例 第六条、第六十四条; 海上交通安全法 第三十三条、第九十五条.
    """
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError(f"on: expected a date, got {type(on).__name__}")
    if expiry is not None and (isinstance(expiry, datetime) or not isinstance(expiry, date)):
        raise TypeError(f"expiry: expected a date, got {type(expiry).__name__}")
    normal = status.strip().lower() if isinstance(status, str) else None
    if normal == "":
        normal = None
    if normal is not None and normal not in CERTIFICATE_STATUSES:
        raise ValueError(f"status: unknown certificate status {status!r}; one of {'|'.join(CERTIFICATE_STATUSES)}")
    if normal == "none":
        return None
    if normal in ("revoked", "suspended"):
        return normal
    if normal == "expired" or (expiry is not None and on > expiry):
        return "expired"
    return None


# ---------------------------------------------------------------------------------------------
# AIS: under way, gaps, static data
# ---------------------------------------------------------------------------------------------

#: ITU-R M.1371 speed over ground: 1023 (102.3 kn) means "not available".
SOG_NOT_AVAILABLE_KN = 102.3


def ais_under_way(nav_status: int | None, sog_kn: float | None, config: MonitoringConfig | None = None) -> bool:
    """Under way: navigational status in the configured set (0 under way using engine, 8 under
    way sailing) **or** speed over ground strictly above the threshold (0.5 kn). A speed of
    102.3 kn or more is "not available" and says nothing."""
    config = config or MonitoringConfig()
    if nav_status is not None and not isinstance(nav_status, bool) and nav_status in config.ais_under_way_statuses:
        return True
    if sog_kn is None or isinstance(sog_kn, bool) or not math.isfinite(sog_kn) or sog_kn >= SOG_NOT_AVAILABLE_KN:
        return False
    # repr() is the shortest text of the float, so 0.5 compares as exactly 0.5.
    return Decimal(repr(float(sog_kn))) > config.ais_under_way_sog_kn


def gap_watched(
    mmsi: str | int, nav_status: int | None, sog_kn: float | None, config: MonitoringConfig | None = None
) -> bool:
    """Whether a position report leaves its sender watched for ``ais_gap``: a *ship's* MMSI
    (MIDxxxxxx, ITU-R M.585) reported under way (``ais_under_way``). A base station (00MIDxxxx) or
    aid to navigation (99MIDxxxx) sending class A/B positions is a misconfigured or spoofing
    transponder, raised as ``ais_mismatch`` — its silence is no vessel's silence; nor are a SAR
    aircraft's (111MIDxxx), a group call's or a SART's."""
    try:
        if parse_mmsi(mmsi).kind != "ship":
            return False
    except IdentifierError:
        return False
    return ais_under_way(nav_status, sog_kn, config)


def gap_exceeded(last_seen: datetime, now: datetime, config: MonitoringConfig | None = None) -> bool:
    """Silent *longer* than the gap (600 s): exactly 600 s is not yet a gap. Whether the vessel
    was under way inside a waterway section or port area is the caller's check."""
    config = config or MonitoringConfig()
    return _aware(now, "now") - _aware(last_seen, "last_seen") > config.ais_gap


#: ITU-R M.1371 position reports: 1–3 class A, 18–19 class B.
POSITION_REPORT_TYPES = frozenset({1, 2, 3, 18, 19})


#: A registered vehicle's business matter by its type (``business_matter``): the registry's own
#: codes, then words of the Chinese names (GA 802 机动车类型 and the transport authority's
#: wording), tried in this order — 网约出租车 is ride-hailing, 教练车 driving school before 客车.
VEHICLE_TYPE_CODES = {
    "taxi": "passenger.taxi",
    "ride_hailing": "passenger.ride_hailing",
    "bus": "passenger.bus",
    "coach": "passenger.bus",
    "driving_school_car": "driving.school",
}
VEHICLE_TYPE_WORDS = (
    ("教练", "driving.school"),
    ("网约", "passenger.ride_hailing"),
    ("网络预约", "passenger.ride_hailing"),
    ("出租", "passenger.taxi"),
    ("公交", "passenger.bus"),
    ("公共汽车", "passenger.bus"),
    ("客车", "passenger.bus"),
    ("客运", "passenger.bus"),
)


def business_matter(vehicle_type: str | None) -> str:
    """The matter a registered operating vehicle's certificate belongs to (``certificate_expired``
    is routed as it): taxis, ride-hailing cars, buses and coaches, driving-school cars by their
    codes or Chinese names (``VEHICLE_TYPE_CODES``, ``VEHICLE_TYPE_WORDS``); any other — trucks,
    tractors, trailers, an unknown type — road freight (道路运输条例: 道路货物运输经营)."""
    text = (vehicle_type or "").strip()
    code = VEHICLE_TYPE_CODES.get(text.lower())
    if code is not None:
        return code
    for word, matter in VEHICLE_TYPE_WORDS:
        if word in text:
            return matter
    return "freight.operation"


def station_sends_position(mmsi: str | int, msg_type: int) -> bool:
    """An AIS base station (00MIDxxxx) or aid to navigation (99MIDxxxx) MMSI sending class A/B
    ship position reports: a misconfigured or spoofing transponder. An invalid MMSI is not this
    rule's business (returns ``False``)."""
    if msg_type not in POSITION_REPORT_TYPES:
        return False
    try:
        kind = parse_mmsi(mmsi).kind
    except IdentifierError:
        return False
    return kind in ("coast_station", "aton")


#: ITU-R M.1371 6-bit text: ASCII 32–95 (space, punctuation, digits, upper-case letters, ``@``
#: as padding). A name with any other character cannot have been sent over AIS.
AIS_TEXT_CHARS = frozenset(chr(c) for c in range(32, 96))
AIS_NAME_LENGTH = 20


def normalise_ship_name(name: str) -> str:
    """Full-width → half-width (NFKC), upper case, ``@`` padding removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name).upper().replace("@", "")
    return " ".join(text.split())


def name_mismatch(registry_name: str, reported_name: str) -> bool:
    """True when the AIS name (type 5) contradicts the registered name after normalising both.

    Not comparable, so ``False``: an empty name on either side (AIS "not available" is all ``@``),
    and a registry name with characters AIS cannot carry — above all a Chinese name (苏镇货0001)
    against the Latin AIS name (SUZHENHUO0001): pinyin transliteration is not unique (spacing,
    tones, polyphonic characters, the 货/HUO marker often dropped), so guessing would raise false
    leads. A registry name longer than AIS's 20 characters is compared on its first 20.
    """
    registry = normalise_ship_name(registry_name)
    reported = normalise_ship_name(reported_name)
    if not registry or not reported:
        return False
    if not set(registry) <= AIS_TEXT_CHARS or not set(reported) <= AIS_TEXT_CHARS:
        return False
    return registry[:AIS_NAME_LENGTH].rstrip() != reported[:AIS_NAME_LENGTH].rstrip()


#: Registry ship types → the AIS ship-and-cargo types (ITU-R M.1371, message 5) consistent with
#: them. The second digit of 60–89 is the hazard category, so whole decades belong to one type.
AIS_TYPES_FOR_REGISTRY_TYPE: dict[str, frozenset[int]] = {
    "wig": frozenset(range(20, 30)),  # wing in ground
    "fishing": frozenset({30}),
    "tug": frozenset({31, 32, 52}),  # 31/32 towing (32: tow > 200 m or > 25 m wide), 52 tug
    "dredger": frozenset({33}),  # dredging or underwater operations
    "diving": frozenset({34}),
    "military": frozenset({35}),
    "sailing": frozenset({36}),
    "pleasure": frozenset({37}),
    "high_speed": frozenset(range(40, 50)),
    "pilot": frozenset({50}),
    "sar": frozenset({51}),
    "port_tender": frozenset({53}),
    "anti_pollution": frozenset({54}),
    "law_enforcement": frozenset({55}),
    "medical": frozenset({58}),
    "passenger": frozenset(range(60, 70)),
    "cargo": frozenset(range(70, 80)),
    "tanker": frozenset(range(80, 90)),
}
#: Other spellings seen in registry data.
REGISTRY_TYPE_ALIASES: dict[str, str] = {
    "货船": "cargo",
    "散货船": "cargo",
    "集装箱船": "cargo",
    "杂货船": "cargo",
    "bulk_carrier": "cargo",
    "container": "cargo",
    "general_cargo": "cargo",
    "油船": "tanker",
    "油轮": "tanker",
    "化学品船": "tanker",
    "液化气船": "tanker",
    "客船": "passenger",
    "客渡船": "passenger",
    "ferry": "passenger",
    "拖船": "tug",
    "拖轮": "tug",
    "推轮": "tug",
    "towing": "tug",
    "pusher": "tug",
    "挖泥船": "dredger",
    "疏浚船": "dredger",
    "渔船": "fishing",
}
#: AIS types that say something: 0 (not available), 1–19 and 38–39 (reserved), 56–57 (local
#: use), 59 (non-combatant) and 90–99 (other type) say nothing a registry could contradict.
INFORMATIVE_AIS_TYPES: frozenset[int] = frozenset().union(*AIS_TYPES_FOR_REGISTRY_TYPE.values())


def ship_type_mismatch(registry_type: str, ais_type: int) -> bool:
    """True when the AIS ship type (message 5) contradicts the registered type: the AIS type is
    informative and not among those mapped to the registry type. An unknown registry type or an
    uninformative AIS type cannot contradict anything (``False``)."""
    if isinstance(ais_type, bool) or not isinstance(ais_type, int) or not 0 <= ais_type <= 255:
        raise ValueError(f"ais_type: {ais_type!r} is not an AIS ship type (0–255)")
    raw = registry_type.strip() if isinstance(registry_type, str) else ""
    key = REGISTRY_TYPE_ALIASES.get(raw) or REGISTRY_TYPE_ALIASES.get(raw.lower()) or raw.lower()
    allowed = AIS_TYPES_FOR_REGISTRY_TYPE.get(key)
    if allowed is None or ais_type not in INFORMATIVE_AIS_TYPES:
        return False
    return ais_type not in allowed


# ---------------------------------------------------------------------------------------------
# Leads: folding and statuses
# ---------------------------------------------------------------------------------------------

LEAD_STATUSES = ("new", "confirmed", "dispatched", "dismissed", "merged", "closed", "ended")
#: A lead in one of these statuses still takes in events.
OPEN_LEAD_STATUSES = frozenset({"new", "confirmed", "dispatched"})

#: The one transition table: (from, to) → the kinds it applies to (``None``: every kind).
LEAD_TRANSITIONS: dict[tuple[str, str], frozenset[str] | None] = {
    ("new", "confirmed"): None,
    ("new", "dismissed"): None,
    ("new", "merged"): None,
    ("confirmed", "dispatched"): None,
    ("confirmed", "dismissed"): None,
    ("confirmed", "merged"): None,
    ("dispatched", "closed"): None,
    # The vessel reappeared before anyone acted: the gap is over.
    ("new", "ended"): frozenset({"ais_gap"}),
}


def _status(value: str, name: str) -> str:
    if value not in LEAD_STATUSES:
        raise ValueError(f"{name}: unknown lead status {value!r}; one of {'|'.join(LEAD_STATUSES)}")
    return value


def lead_statuses(kind: str) -> tuple[str, ...]:
    """The statuses a lead of this kind can take (``ended`` only for ``ais_gap``)."""
    _rule(kind)
    reachable = {"new"} | {to for (_, to), kinds in LEAD_TRANSITIONS.items() if kinds is None or kind in kinds}
    return tuple(s for s in LEAD_STATUSES if s in reachable)


def can_transition(kind: str, from_status: str, to_status: str) -> bool:
    """Whether a lead of ``kind`` may move from ``from_status`` to ``to_status``. Unknown kinds
    and statuses raise ``ValueError`` (a typo must not read as "not allowed")."""
    _rule(kind)
    key = (_status(from_status, "from_status"), _status(to_status, "to_status"))
    if key not in LEAD_TRANSITIONS:
        return False
    kinds = LEAD_TRANSITIONS[key]
    return kinds is None or kind in kinds


def folds(
    kind: str,
    lead_first_event: datetime,
    lead_status: str,
    event_time: datetime,
    config: MonitoringConfig | None = None,
) -> bool:
    """Whether an event of the same kind and subject (the caller's check) folds into this lead:
    the kind folds at all (never ``ais_dark``/``ais_ambiguous``), the lead is open (not closed,
    dismissed, merged or ended), and the event lies in ``[first, first + 24 h]``, both ends
    included. An event earlier than the lead's first event does not fold."""
    config = config or MonitoringConfig()
    if not _rule(kind).foldable:
        return False
    if _status(lead_status, "lead_status") not in OPEN_LEAD_STATUSES:
        return False
    first = _aware(lead_first_event, "lead_first_event")
    return first <= _aware(event_time, "event_time") <= first + config.dedup_window
