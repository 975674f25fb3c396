"""Document numbers (文书编号), pure: the patterns of the numbering schemes and their formatting.

A pattern is text with two placeholders, ``{year}`` and ``{seq}`` (with an optional zero-padded
width, ``{seq:04d}``), e.g. ``镇交执罚〔{year}〕第{seq:04d}号`` → ``镇交执罚〔2026〕第0001号``. Both
are required: the sequence starts again at 1 each year, so a pattern without the year would give
the same number twice. Nothing else may be formatted — no attribute or index access, no
conversions — as an administrator edits the patterns.

The allocation itself (gap-free, duplicate-free under concurrency) is
:func:`zhifa.documents.numbering.allocate`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from zhifa.core.errors import InvalidField

MAX_PATTERN = 100
_SEQ_SPEC = re.compile(r"^(0[1-9])?d?$")  # "", "d", "04d", "06" …
_YEAR_SPEC = re.compile(r"^d?$")


@dataclass(frozen=True)
class DefaultScheme:
    code: str
    name: str
    pattern: str


#: Defaults for Zhenjiang (镇江市交通运输综合行政执法支队): configurable, seeded by migration 0009
#: (``referral`` by 0010) with ``updated_by = system``; administrators change them through the API (audited).
#: The prefixes follow the usual 机关代字 + 类别 + 〔年份〕 + 序号 form of official document numbers (党政机关公文
#: 格式 GB/T 9704-2012, 7.2.4 发文字号).
DEFAULT_SCHEMES: tuple[DefaultScheme, ...] = (
    DefaultScheme("filing", "立案编号", "镇交执立〔{year}〕第{seq:04d}号"),
    DefaultScheme("preservation", "证据登记保存编号", "镇交执保〔{year}〕第{seq:04d}号"),
    DefaultScheme("notice", "违法行为通知书编号", "镇交执告〔{year}〕第{seq:04d}号"),
    DefaultScheme("hearing", "听证通知书编号", "镇交执听〔{year}〕第{seq:04d}号"),
    DefaultScheme("on_the_spot", "当场处罚决定书编号", "镇交执当〔{year}〕第{seq:04d}号"),
    DefaultScheme("penalty", "行政处罚决定书编号", "镇交执罚〔{year}〕第{seq:04d}号"),
    DefaultScheme("no_penalty", "不予行政处罚决定书编号", "镇交执不罚〔{year}〕第{seq:04d}号"),
    DefaultScheme("correction", "责令改正通知书编号", "镇交执改〔{year}〕第{seq:04d}号"),
    DefaultScheme("instalment", "分期（延期）缴纳通知书编号", "镇交执缴〔{year}〕第{seq:04d}号"),
    DefaultScheme("reminder", "催告书编号", "镇交执催〔{year}〕第{seq:04d}号"),
    DefaultScheme("referral", "案件移送书编号", "镇交执移〔{year}〕第{seq:04d}号"),
)


def check_pattern(pattern: str) -> str:
    """The pattern, stripped, or :class:`InvalidField` (``pattern``) saying what is wrong."""

    def bad(reason: str, reason_zh: str) -> InvalidField:
        return InvalidField("pattern", reason, reason_zh)

    if not isinstance(pattern, str) or not pattern.strip():
        raise bad("a pattern is required", "编号格式不能为空")
    pattern = pattern.strip()
    if len(pattern) > MAX_PATTERN:
        raise bad(f"longer than {MAX_PATTERN} characters", f"超过 {MAX_PATTERN} 字")
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise bad(f"not a valid pattern: {exc} (write a literal brace as {{{{ or }}}})", "编号格式有误") from None
    seen: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in ("year", "seq"):
            raise bad(f"unknown placeholder {{{name}}}: only {{year}} and {{seq}}", f"不支持的占位符 {{{name}}}")
        if conversion:
            raise bad(f"{{{name}!{conversion}}}: conversions are not allowed", "不允许转换")
        if not (_SEQ_SPEC if name == "seq" else _YEAR_SPEC).match(spec or ""):
            raise bad(f"{{{name}:{spec}}}: use {{seq}} or a width like {{seq:04d}}", f"格式说明 {spec} 不支持")
        seen.append(name)
    for name in ("year", "seq"):
        if seen.count(name) != 1:
            raise bad(
                f"{{{name}}} must appear exactly once (the sequence restarts each year)",
                f"{{{name}}} 必须且只能出现一次（序号逐年重新编排）",
            )
    return pattern


def format_number(pattern: str, year: int, seq: int) -> str:
    """``format_number("镇交执罚〔{year}〕第{seq:04d}号", 2026, 1)`` → ``镇交执罚〔2026〕第0001号``."""
    if seq < 1:
        raise ValueError(f"sequence numbers start at 1, got {seq}")
    return check_pattern(pattern).format(year=year, seq=seq)
