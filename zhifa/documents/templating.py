"""Templates to HTML: a sandboxed Jinja environment, since administrators edit the templates.

Each kind's template (stored in the database, versioned) extends the packaged layout
``_layout.html`` (page, fonts, the agency, title and number at the top, the seal and date at
the bottom) and may import the packaged macros of ``_macros.html`` (party, articles, rights).
Rendering is strict: a name the context does not have is an error, never an empty space in a
legal document. The sandbox (:class:`jinja2.sandbox.SandboxedEnvironment`) refuses
access to private and internal attributes, so a template cannot reach Python objects beyond the
context; autoescaping keeps the context's text from becoming markup.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from zhifa.core.clock import SHANGHAI
from zhifa.core.errors import ZhifaError
from zhifa.documents import kinds as kinds_mod

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT = "_layout.html"
MACROS = "_macros.html"
DOCUMENT = "document.html"
MAX_SOURCE = 100_000

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ("", "万", "亿")


class TemplateInvalid(ZhifaError):
    """A template does not compile, breaks the sandbox or fails its test render."""

    status = 422
    code = "invalid_template"

    def __init__(self, reason: str, reason_zh: str, line: int | None = None) -> None:
        where = f" (line {line})" if line else ""
        where_zh = f"（第 {line} 行）" if line else ""
        super().__init__(f"template refused{where}: {reason}", f"模板不合格{where_zh}：{reason_zh}", line=line)


def cn_date(value: date | None) -> str:
    """``2026年6月1日``; a time is shown on its Asia/Shanghai date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """``2026年5月30日10时15分``, in Asia/Shanghai."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


_NUMERALS = "零一二三四五六七八九"


def cn_num(value: int) -> str:
    """A count of days or months in Chinese numerals, as the law writes it: 6 → 六, 15 → 十五,
    60 → 六十, 105 → 一百零五."""
    if not 0 <= value < 1000:
        raise ValueError(f"{value} is out of range for Chinese numerals (0-999)")
    if value < 10:
        return _NUMERALS[value]
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    out = _NUMERALS[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_NUMERALS[ones] if ones else "")


def yuan(value: Decimal | None) -> str:
    """``3,000.00``."""
    return "" if value is None else f"{value:,.2f}"


def _group(g: int) -> str:
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        d = g // 10**power % 10
        if d == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += _DIGITS[d] + unit
    return out


def yuan_upper(value: Decimal | None) -> str:
    """人民币大写, e.g. ``3000`` → ``叁仟元整``, ``10005.05`` → ``壹万零伍元零伍分`` (as on a cheque:
    中国人民银行《支付结算办法》附一 正确填写票据和结算凭证的基本规定)."""
    if value is None:
        return ""
    fen_total = int((value * 100).to_integral_value())
    if fen_total < 0 or fen_total >= 10**14:
        raise ValueError(f"{value} is out of range for 大写")
    n, f = divmod(fen_total, 100)
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, pending_zero = "", False
    for idx in reversed(range(len(groups))):
        g = groups[idx]
        if g == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if out and (pending_zero or g < 1000):
            out += "零"
        out += _group(g) + _GROUP_UNITS[idx]
        pending_zero = False
    jiao, fen = divmod(f, 10)
    if not out and not f:
        return "零元整"
    text = out + "元" if out else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen and out:
        text += "零"
    return text + (_DIGITS[fen] + "分" if fen else "整")


LAW = {
    "review_days": kinds_mod.REVIEW_DAYS,
    "lawsuit_months": kinds_mod.LAWSUIT_MONTHS,
    "payment_days": kinds_mod.PAYMENT_DAYS,
    "reminder_days": kinds_mod.REMINDER_DAYS,
    "preservation_days": kinds_mod.PRESERVATION_DAYS,
    "hearing_request_days": kinds_mod.HEARING_REQUEST_DAYS,
}


@lru_cache(maxsize=2)
def _packaged(name: str) -> str:
    return (TEMPLATES / name).read_text("utf-8")


def packaged_source(kind: str) -> str:
    """The template the package ships for a kind (version 1 in the database)."""
    if kind not in kinds_mod.KINDS:
        raise KeyError(kind)
    return (TEMPLATES / f"{kind}.html").read_text("utf-8")


def _environment(source: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=DictLoader({LAYOUT: _packaged(LAYOUT), MACROS: _packaged(MACROS), DOCUMENT: source}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(cn_date=cn_date, cn_datetime=cn_datetime, cn_num=cn_num, yuan=yuan, yuan_upper=yuan_upper)
    env.globals.update(LAW=LAW)
    return env


def check_source(source: str) -> None:
    """Refuse a template that is too long or does not compile (names the line)."""
    if not isinstance(source, str) or not source.strip():
        raise TemplateInvalid("the template is empty", "模板为空")
    if len(source) > MAX_SOURCE:
        raise TemplateInvalid(f"longer than {MAX_SOURCE} characters", f"超过 {MAX_SOURCE} 字")
    try:
        _environment(source).parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(f"syntax error: {exc.message}", f"语法错误：{exc.message}", exc.lineno) from None


def render_html(source: str, context: dict[str, Any]) -> str:
    """The document as HTML. A failure (syntax, sandbox, a name the context lacks) is
    :class:`TemplateInvalid`."""
    check_source(source)
    try:
        return _environment(source).get_template(DOCUMENT).render(**context)
    except SecurityError as exc:
        raise TemplateInvalid(f"not allowed in a template: {exc}", f"模板中不允许的操作：{exc}") from None
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(f"syntax error: {exc.message}", f"语法错误：{exc.message}", exc.lineno) from None
    except TemplateError as exc:
        raise TemplateInvalid(f"render failed: {exc}", f"渲染失败：{exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateInvalid(f"render failed: {type(exc).__name__}: {exc}", f"渲染失败：{exc}") from None
