"""Enforcement items and discretion benchmarks as plain values (pure: no database, no I/O).

An item of the power-and-responsibility list (权责清单) is an inspection, a penalty or a coercive
measure with its legal basis. A penalty item carries a discretion benchmark (自由裁量基准): tiers
from 轻微 to 严重, each with the circumstances it applies to and the fine range. The objects
validate themselves when built, so an invalid benchmark cannot exist in memory:

* tiers are in order of severity (轻微 → 一般 → 较重 → 严重; a tier may have several rows);
* amounts are non-negative yuan with at most two decimals, and ``min_yuan ≤ max_yuan``;
* a penalty item has at least one tier; inspections and coercive measures have none;
* every legal-basis entry names a law and an article, and an item has at least one
  (行政处罚法 第四条: penalties only as laws, regulations or rules provide).

:func:`parse_item` turns one object of the import file into an :class:`ItemSpec`, collecting
every problem with the path of the field (``discretion[2].min_yuan``) instead of stopping at the
first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.org.matters import is_valid_matter_code

ITEM_KINDS = ("inspection", "penalty", "coercive")
ITEM_KIND_ZH = {"inspection": "行政检查", "penalty": "行政处罚", "coercive": "行政强制"}
#: Tiers in order of severity.
TIERS = ("轻微", "一般", "较重", "严重")
#: Numeric(12, 2): below 10^10 yuan.
MAX_YUAN = Decimal("9999999999.99")
CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
MAX_TITLE = 500
MAX_TEXT = 2000


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class RuleError(ValueError):
    """A benchmark or item is invalid; ``problems`` lists every field at fault."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class LegalBasis:
    law: str
    article: str

    def __post_init__(self) -> None:
        problems = [
            Problem(name, f"{name} is empty")
            for name, value in (("law", self.law), ("article", self.article))
            if not isinstance(value, str) or not value.strip()
        ]
        if problems:
            raise RuleError(problems)

    def as_dict(self) -> dict[str, str]:
        return {"law": self.law, "article": self.article}


@dataclass(frozen=True)
class Tier:
    """One row of a discretion benchmark. Both amounts empty and no warning means no penalty
    (e.g. 轻微 under 行政处罚法 第三十三条)."""

    tier: str
    condition: str
    min_yuan: Decimal | None = None
    max_yuan: Decimal | None = None
    warning: bool = False

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if self.tier not in TIERS:
            problems.append(Problem("tier", f"unknown tier {self.tier!r}; one of {'|'.join(TIERS)}"))
        if not isinstance(self.condition, str) or not self.condition.strip():
            problems.append(Problem("condition", "condition is empty"))
        elif len(self.condition) > MAX_TEXT:
            problems.append(Problem("condition", f"longer than {MAX_TEXT} characters"))
        for name in ("min_yuan", "max_yuan"):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, Decimal) or not value.is_finite():
                problems.append(Problem(name, "not a finite decimal amount"))
            elif value < 0:
                problems.append(Problem(name, f"negative amount {value}"))
            elif value > MAX_YUAN:
                problems.append(Problem(name, f"amount {value} is too large"))
            elif value != value.quantize(Decimal("0.01")):
                problems.append(Problem(name, f"amount {value} has more than two decimals"))
        lo, hi = self.min_yuan, self.max_yuan
        if isinstance(lo, Decimal) and isinstance(hi, Decimal) and lo.is_finite() and hi.is_finite() and lo > hi:
            problems.append(Problem("max_yuan", f"min_yuan {lo} is greater than max_yuan {hi}"))
        if not isinstance(self.warning, bool):
            problems.append(Problem("warning", "warning must be true or false"))
        if problems:
            raise RuleError(problems)

    @property
    def rank(self) -> int:
        return TIERS.index(self.tier)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "condition": self.condition,
            "min_yuan": _money_text(self.min_yuan),
            "max_yuan": _money_text(self.max_yuan),
            "warning": self.warning,
        }


@dataclass(frozen=True)
class ItemSpec:
    code: str
    kind: str
    title: str
    matter: str | None
    legal_basis: tuple[LegalBasis, ...]
    tiers: tuple[Tier, ...] = ()

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.code, str) or not CODE_RE.match(self.code):
            problems.append(Problem("code", "code must be 1–32 letters, digits, '-', '_' or '.'"))
        if self.kind not in ITEM_KINDS:
            problems.append(Problem("kind", f"unknown kind {self.kind!r}; one of {'|'.join(ITEM_KINDS)}"))
        if not isinstance(self.title, str) or not self.title.strip():
            problems.append(Problem("title", "title is empty"))
        elif len(self.title) > MAX_TITLE:
            problems.append(Problem("title", f"longer than {MAX_TITLE} characters"))
        if self.matter is not None and not is_valid_matter_code(self.matter):
            problems.append(Problem("matter", f"malformed matter code {self.matter!r} (e.g. road.overload)"))
        if not self.legal_basis:
            problems.append(Problem("legal_basis", "at least one legal basis {law, article} is required"))
        if self.kind in ITEM_KINDS:
            problems += benchmark_problems(self.kind, self.tiers)
        if problems:
            raise RuleError(problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "title": self.title,
            "matter": self.matter,
            "legal_basis": [b.as_dict() for b in self.legal_basis],
            "discretion": [t.as_dict() for t in self.tiers],
        }


def benchmark_problems(kind: str, tiers: tuple[Tier, ...]) -> list[Problem]:
    """The cross-tier rules: presence by kind and order of severity."""
    if kind == "penalty" and not tiers:
        return [Problem("discretion", "a penalty item needs at least one discretion tier")]
    if kind != "penalty" and tiers:
        return [Problem("discretion", f"only penalty items have discretion tiers, not {kind} items")]
    problems: list[Problem] = []
    for i in range(1, len(tiers)):
        if tiers[i].rank < tiers[i - 1].rank:
            problems.append(
                Problem(
                    f"discretion[{i + 1}].tier",
                    f"tiers must run 轻微 → 一般 → 较重 → 严重: {tiers[i].tier} after {tiers[i - 1].tier}",
                )
            )
    return problems


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def parse_money(value: Any) -> Decimal | None:
    """A JSON amount: a number or a numeric string; ``null``/absent/"" is no amount."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not an amount")
    try:
        # str() first: Decimal(0.1) would carry the binary float's tail.
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return amount


def parse_item(obj: Any) -> ItemSpec:
    """Build an :class:`ItemSpec` from one object of the items file; raise :class:`RuleError`
    listing every problem (``discretion[2].min_yuan: …``)."""
    if not isinstance(obj, dict):
        raise RuleError([Problem("item", "each item must be a JSON object")])
    problems: list[Problem] = []

    def text(name: str) -> str:
        value = obj.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            problems.append(Problem(name, f"{name} must be text"))
            return ""
        return value.strip()

    code, kind, title = text("code"), text("kind").lower(), text("title")
    matter = text("matter") or None

    bases: list[LegalBasis] = []
    bases_ok = True
    raw_bases = obj.get("legal_basis")
    if raw_bases is None:
        raw_bases = []
    if not isinstance(raw_bases, list):
        problems.append(Problem("legal_basis", "legal_basis must be a list of {law, article}"))
        raw_bases, bases_ok = [], False
    for n, entry in enumerate(raw_bases, start=1):
        if not isinstance(entry, dict):
            problems.append(Problem(f"legal_basis[{n}]", "must be an object {law, article}"))
            bases_ok = False
            continue
        law, article = entry.get("law"), entry.get("article")
        wrong = [name for name, v in (("law", law), ("article", article)) if v is not None and not isinstance(v, str)]
        if wrong:
            problems += [Problem(f"legal_basis[{n}].{name}", f"{name} must be text") for name in wrong]
            bases_ok = False
            continue
        try:
            bases.append(LegalBasis((law or "").strip(), (article or "").strip()))
        except RuleError as exc:
            problems += [Problem(f"legal_basis[{n}].{p.field}", p.reason) for p in exc.problems]
            bases_ok = False

    tiers: list[Tier] = []
    raw_tiers = obj.get("discretion")
    if raw_tiers is None:
        raw_tiers = []
    tiers_ok = True
    if not isinstance(raw_tiers, list):
        problems.append(Problem("discretion", "discretion must be a list of tiers"))
        raw_tiers, tiers_ok = [], False
    for n, entry in enumerate(raw_tiers, start=1):
        where = f"discretion[{n}]"
        if not isinstance(entry, dict):
            problems.append(Problem(where, "must be an object {tier, condition, min_yuan, max_yuan, warning}"))
            tiers_ok = False
            continue
        amounts: dict[str, Decimal | None] = {}
        for name in ("min_yuan", "max_yuan"):
            try:
                amounts[name] = parse_money(entry.get(name))
            except ValueError as exc:
                problems.append(Problem(f"{where}.{name}", str(exc)))
                amounts[name] = None
                tiers_ok = False
        tier_name, condition, warning = entry.get("tier"), entry.get("condition"), entry.get("warning")
        try:
            tiers.append(
                Tier(
                    tier=tier_name.strip() if isinstance(tier_name, str) else "",
                    condition=condition.strip() if isinstance(condition, str) else "",
                    min_yuan=amounts["min_yuan"],
                    max_yuan=amounts["max_yuan"],
                    warning=False if warning is None else warning,
                )
            )
        except RuleError as exc:
            problems += [Problem(f"{where}.{p.field}", p.reason) for p in exc.problems]
            tiers_ok = False

    if problems:
        # Report the item-level rules too, as far as they can be judged with what parsed.
        try:
            basis = tuple(bases) if bases_ok else _PLACEHOLDER_BASIS
            ItemSpec(code, kind, title, matter, basis, tuple(tiers) if tiers_ok else ())
        except RuleError as exc:
            problems += [p for p in exc.problems if tiers_ok or p.field != "discretion"]
        raise RuleError(problems)
    return ItemSpec(code, kind, title, matter, tuple(bases), tuple(tiers))


# Used only to judge the other item-level rules when the legal basis already failed.
_PLACEHOLDER_BASIS = (LegalBasis("-", "-"),)
