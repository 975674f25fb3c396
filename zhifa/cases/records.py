"""The records of an investigation and of a hearing — 询问笔录, 勘验笔录, 现场笔录, 听证笔录 — and
what each must state, checked before the step that makes it is taken. Pure: no database, no
clock (``now`` is passed in).

:func:`validate` takes the step's parameters and returns the record in normal form (times as
aware datetimes, officers still as codes: the service resolves them to names and certificate
numbers, checking each one's 执法证), or raises :class:`RecordInvalid` — HTTP 422, code
``invalid_field`` — naming **every** missing or wrong field by its path (``interviewee.name``,
``qa[2].a``), in English and Chinese.

What is required, and why:

* all records: start and end time with their zone (the end not before the start, not in the
  future), the place, and the signature of the person the record is about — or the note of the
  refusal (行政处罚法 第六十四条第（八）项 for the hearing; the same practice of the 交通运输行政执法
  文书式样 for the other records);
* inquiry, inspection and site records: at least two officers (行政处罚法 第四十二条) who showed
  their certificates (第五十五条第一款), a recorder; the inquiry also the notice of the duty to
  answer truthfully (第五十五条第二款) and of the right to ask for an officer's withdrawal
  (第四十三条第二款), the person inquired and their relation to the case, and the questions and
  answers; the inspection the object, the conditions, the party or a witness present, and the
  findings, with the photos and drawings referenced by the SHA-256 of their file; the site record
  the facts observed, the measures taken and the party's opinion (行政处罚法 第五十五条第二款:
  询问或者检查应当制作笔录; 第四十六条第一款第（八）项: 勘验笔录、现场笔录);
* hearing record: host, clerk, public or not — a hearing not held in public names why (第六十四条
  第（三）项) —, the investigators (never the host, 第六十四条第（四）项), the party and at most two
  agents (第六十四条第（五）项), the investigators' statement of facts, evidence and proposal, the
  party's defence and cross-examination (第六十四条第（七）项) and final statement; an absent party
  is recorded with the circumstances (第六十四条第（六）项: 视为放弃听证权利).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhifa.core.errors import InvalidField

RECORD_KINDS = ("inquiry_record", "inspection_record", "site_record", "hearing_record")
MAX_TEXT = 5000
MAX_ITEMS = 200
GENDERS = ("男", "女")
#: Who may speak for the party at a hearing (行政处罚法 第六十四条第（五）项: 委托一至二人代理).
ATTENDEE_ROLES = ("当事人", "法定代表人", "负责人", "委托代理人")
MAX_AGENTS = 2
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
#: Keys of a step's parameters that are not part of the record.
STEP_KEYS = frozenset({"action", "record_kind", "reason", "document", "documents"})


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    reason_zh: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "reason_zh": self.reason_zh}


class RecordInvalid(InvalidField):
    """A record lacks a field or has a wrong one; the step was not taken. ``field`` is the first
    problem's path, ``problems`` lists them all."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        more_zh = f"（另有{len(problems) - 1}处）" if len(problems) > 1 else ""
        super().__init__(first.field, f"{first.reason}{more}", f"{first.reason_zh}{more_zh}")
        self.problems = problems
        self.details["record_kind"] = kind
        self.details["problems"] = [p.as_dict() for p in problems]


# ------------------------------------------------------------------------------ field readers


class _Reader:
    """Reads the parameters of one record, collecting every problem."""

    def __init__(self, given: dict[str, Any]) -> None:
        self.given = given
        self.problems: list[Problem] = []
        self.used: set[str] = set()

    def bad(self, path: str, reason: str, reason_zh: str) -> None:
        self.problems.append(Problem(path, reason, reason_zh))

    def get(self, name: str) -> Any:
        self.used.add(name)
        return self.given.get(name)

    def text(self, value: Any, path: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(path, f"required: {label}", f"请填写{label}")
            return None
        if not isinstance(value, str):
            self.bad(path, f"must be text, got {type(value).__name__}", f"{label}应为文字")
            return None
        text = value.strip()
        if len(text) > limit:
            self.bad(path, f"longer than {limit} characters", f"{label}不能超过{limit}字")
            return None
        return text

    def field(self, name: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
        return self.text(self.get(name), name, label, required=required, limit=limit)

    def moment(self, name: str, label: str) -> datetime | None:
        value = self.get(name)
        if value is None or value == "":
            self.bad(
                name, f"required: {label} (ISO 8601 with its zone, e.g. 2026-06-01T09:00:00+08:00)", f"请填写{label}"
            )
            return None
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.bad(name, f"{value!r} is not a time (ISO 8601 with its zone)", f"{label}格式应为带时区的时间")
            return None
        if moment.tzinfo is None or moment.utcoffset() is None:
            # A record's time is a legal fact: a wall-clock time without its zone is ambiguous.
            self.bad(name, "a time needs its zone (e.g. +08:00)", f"{label}须带时区（如 +08:00）")
            return None
        return moment

    def flag(self, name: str, label: str, *, required: bool = True, default: bool | None = None) -> bool | None:
        value = self.get(name)
        if value is None:
            if default is not None:
                return default
            if required:
                self.bad(name, f"required: {label} (true or false)", f"请说明{label}")
            return None
        if not isinstance(value, bool):
            self.bad(name, f"{value!r} is not true or false", f"{label}应为是或否")
            return None
        return value

    def must_be_true(self, name: str, label: str, reason: str, reason_zh: str) -> bool:
        value = self.flag(name, label)
        if value is False:
            self.bad(name, reason, reason_zh)
        return bool(value)

    def codes(self, name: str, label: str, fewest: int) -> list[str]:
        value = self.get(name)
        if isinstance(value, str):
            value = [c for c in re.split(r"[,，、\s]+", value) if c]
        if not value:
            self.bad(name, f"required: {label} (officer codes)", f"请填写{label}（执法人员编号）")
            return []
        if not isinstance(value, list) or not all(isinstance(c, str) and c.strip() for c in value):
            self.bad(name, "must be a list of officer codes", f"{label}应为执法人员编号列表")
            return []
        codes = [c.strip() for c in value]
        if len(set(codes)) != len(codes):
            self.bad(name, "an officer is named twice", f"{label}有重复")
        if len(set(codes)) < fewest:
            self.bad(
                name,
                f"at least {fewest} officers (行政处罚法 第四十二条: 执法人员不得少于两人)",
                f"{label}不得少于{fewest}人（行政处罚法 第四十二条）",
            )
        return codes

    def lines(self, name: str, label: str, *, required: bool = True) -> list[str]:
        """A list of texts, or one text with an item per line."""
        value = self.get(name)
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        if not value:
            if required:
                self.bad(name, f"required: {label} (at least one item)", f"请填写{label}")
            return []
        if not isinstance(value, list):
            self.bad(name, "must be a list of texts", f"{label}应为文字列表")
            return []
        if len(value) > MAX_ITEMS:
            self.bad(name, f"more than {MAX_ITEMS} items", f"{label}超过{MAX_ITEMS}项")
            return []
        out = []
        for i, item in enumerate(value, start=1):
            text = self.text(item, f"{name}[{i}]", f"{label}第{i}项")
            if text:
                out.append(text)
        return out

    def qa(self, name: str) -> list[dict[str, str]]:
        """Questions and answers: ``[{"q", "a"}, …]``, or a text of lines starting 问： and 答：."""
        value = self.get(name)
        if isinstance(value, str):
            value = _qa_from_text(value, self, name)
        if not value:
            self.bad(name, "required: the questions and answers (at least one pair)", "请填写询问内容（问答）")
            return []
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            self.bad(name, f"must be a list of {{q, a}} (at most {MAX_ITEMS})", "询问内容应为问答列表")
            return []
        out = []
        for i, pair in enumerate(value, start=1):
            path = f"{name}[{i}]"
            if not isinstance(pair, dict):
                self.bad(path, "must be an object {q, a}", "应为一问一答")
                continue
            for key in sorted(set(pair) - {"q", "a"}):
                self.bad(f"{path}.{key}", "unknown field (a typing error?)", "未定义的字段")
            q = self.text(pair.get("q"), f"{path}.q", f"第{i}问")
            a = self.text(pair.get("a"), f"{path}.a", f"第{i}问的回答")
            if q and a:
                out.append({"q": q, "a": a})
        return out

    def obj(self, name: str, label: str, spec: tuple[tuple[str, str, bool], ...]) -> dict[str, Any]:
        value = self.get(name)
        if not value:
            self.bad(name, f"required: {label}", f"请填写{label}")
            return {}
        if not isinstance(value, dict):
            self.bad(name, "must be an object", f"{label}格式不正确")
            return {}
        known = {key for key, _, _ in spec}
        for key in sorted(set(value) - known):
            self.bad(f"{name}.{key}", "unknown field (a typing error?)", "未定义的字段")
        out: dict[str, Any] = {}
        for key, sub_label, required in spec:
            out[key] = self.text(value.get(key), f"{name}.{key}", sub_label, required=required, limit=300)
        return out

    def attachments(self, name: str) -> list[dict[str, str]]:
        """Photos, drawings, audio or video of the record, each by the SHA-256 of its file in the
        evidence store: ``[{"sha256", "title"}]``."""
        value = self.get(name)
        if isinstance(value, str):
            value = [h for h in re.split(r"[,，、\s]+", value) if h]
        if not value:
            return []
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            self.bad(name, "must be a list of {sha256, title}", "附件应为列表")
            return []
        out = []
        for i, item in enumerate(value, start=1):
            path = f"{name}[{i}]"
            if isinstance(item, str):
                item = {"sha256": item}
            if not isinstance(item, dict):
                self.bad(path, "must be an object {sha256, title}", "附件格式不正确")
                continue
            for key in sorted(set(item) - {"sha256", "title"}):
                self.bad(f"{path}.{key}", "unknown field (a typing error?)", "未定义的字段")
            digest = item.get("sha256")
            if not isinstance(digest, str) or not _SHA256.match(digest):
                self.bad(
                    f"{path}.sha256",
                    "the SHA-256 (64 hex digits) of a file in the evidence store",
                    "应为证据文件的SHA-256",
                )
                continue
            title = self.text(item.get("title"), f"{path}.title", "附件名称", required=False, limit=200)
            out.append({"sha256": digest.lower(), "title": title or f"附件{i}"})
        return out


def _qa_from_text(text: str, r: _Reader, name: str) -> list[dict[str, str]]:
    pairs: list[dict[str, str]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, body = line[:2], line[2:].strip()
        if head in ("问：", "问:"):
            pairs.append({"q": body, "a": ""})
        elif head in ("答：", "答:") and pairs and not pairs[-1]["a"]:
            pairs[-1]["a"] = body
        elif pairs:
            key = "a" if pairs[-1]["a"] else "q"
            pairs[-1][key] += line
        else:
            r.bad(
                name,
                f"line {n}: each question starts with 问： and each answer with 答：",
                f"第{n}行：问话以“问：”开头，回答以“答：”开头",
            )
            return []
    return pairs


# ------------------------------------------------------------------------------------ records


def _times(r: _Reader, now: datetime) -> dict[str, Any]:
    started = r.moment("started_at", "开始时间")
    ended = r.moment("ended_at", "结束时间")
    if started and ended and ended < started:
        r.bad("ended_at", "ends before it starts", "结束时间早于开始时间")
    if ended and ended > now:
        r.bad("ended_at", "lies in the future: a record states what took place", "结束时间不能晚于当前时间")
    return {"started_at": started, "ended_at": ended, "place": r.field("place", "地点", limit=300)}


def _signature(r: _Reader, who: str) -> dict[str, Any]:
    signed = r.flag("signed", f"{who}是否签名")
    note = r.field("refusal_note", "拒绝签名的情况", required=signed is False, limit=1000)
    return {"signed": signed, "refusal_note": note if signed is False else None}


def _team(r: _Reader, label: str) -> dict[str, Any]:
    return {
        "officers": r.codes("officers", label, 2),
        "recorder": r.field("recorder", "记录人（执法人员编号）", limit=64),
        # 行政处罚法 第五十五条第一款: 应当主动向当事人或者有关人员出示执法证件.
        "identity_shown": r.must_be_true(
            "identity_shown",
            "是否出示执法证件",
            "the officers must show their certificates (行政处罚法 第五十五条第一款)",
            "执法人员应当主动出示执法证件（行政处罚法 第五十五条第一款）",
        ),
    }


def _inquiry(r: _Reader, now: datetime) -> dict[str, Any]:
    out = _times(r, now) | _team(r, "询问人")
    out["interviewee"] = r.obj(
        "interviewee",
        "被询问人",
        (
            ("name", "被询问人姓名", True),
            ("gender", "性别", True),
            ("id_number", "身份证件号码", True),
            ("address", "住址", True),
            ("phone", "联系电话", False),
            ("employer", "工作单位", False),
            ("relation", "与本案关系", True),
        ),
    )
    gender = out["interviewee"].get("gender")
    if gender and gender not in GENDERS:
        r.bad("interviewee.gender", f"{gender!r} is not 男 or 女", "性别应为男或女")
    # 行政处罚法 第五十五条第二款 (如实回答、协助调查) and 第四十三条第二款 (申请回避): told first.
    out["rights_notified"] = r.must_be_true(
        "rights_notified",
        "是否告知权利义务",
        "the person must be told of the duty to answer truthfully and of the right to ask for an officer's "
        "withdrawal (行政处罚法 第五十五条第二款、第四十三条第二款)",
        "应当告知被询问人如实回答的义务和申请回避的权利（行政处罚法 第五十五条第二款、第四十三条第二款）",
    )
    out["qa"] = r.qa("qa")
    out["attachments"] = r.attachments("attachments")
    return out | _signature(r, "被询问人")


def _inspection(r: _Reader, now: datetime) -> dict[str, Any]:
    out = _times(r, now) | _team(r, "勘验人")
    out["subject"] = r.field("subject", "勘验对象", limit=300)
    out["conditions"] = r.field("conditions", "天气及现场条件", limit=500)
    out["party_present"] = r.field("party_present", "到场的当事人（姓名及身份）", required=False, limit=300)
    out["witness"] = r.field("witness", "见证人（姓名、身份或者单位）", required=False, limit=300)
    if not out["party_present"] and not out["witness"] and "party_present" not in {p.field for p in r.problems}:
        r.bad(
            "party_present",
            "the party (or its agent) is present, or else a witness: name one of them",
            "勘验应当有当事人在场；当事人不到场的，应当邀请见证人到场",
        )
    out["findings"] = r.lines("findings", "勘验情况")
    out["attachments"] = r.attachments("attachments")
    return out | _signature(r, "当事人或者见证人")


def _site(r: _Reader, now: datetime) -> dict[str, Any]:
    out = _times(r, now) | _team(r, "执法人员")
    out["party_present"] = r.field("party_present", "现场的当事人或者有关人员（姓名及身份）", limit=300)
    out["findings"] = r.lines("findings", "现场情况")
    out["measures"] = r.lines("measures", "采取的措施", required=False)
    out["party_opinion"] = r.field("party_opinion", "当事人意见", limit=2000)
    out["attachments"] = r.attachments("attachments")
    return out | _signature(r, "当事人")


def _hearing(r: _Reader, now: datetime, notice: dict[str, Any]) -> dict[str, Any]:
    out = _times(r, now)
    out["host"] = notice.get("host") or r.field("host", "听证主持人", limit=64)
    given_host = r.get("host")
    if notice.get("host") and given_host and str(given_host).strip() != notice["host"]:
        r.bad("host", f"the notice named {notice['host']} as host", f"听证通知确定的主持人为{notice['host']}")
    out["members"] = r.lines("members", "听证员", required=False)
    out["clerk"] = r.field("clerk", "书记员", limit=64)
    public = r.flag("public", "是否公开举行", default=notice.get("public"))
    out["public"] = public if public is not None else True
    out["not_public_reason"] = None
    if out["public"] is False:
        out["not_public_reason"] = r.text(
            r.get("not_public_reason"), "not_public_reason", "不公开举行的理由", required=False
        )
        if not out["not_public_reason"]:
            r.bad(
                "not_public_reason",
                "a hearing not held in public states why: state secrets, trade secrets or privacy "
                "(行政处罚法 第六十四条第（三）项)",
                "不公开举行听证的，应当说明涉及国家秘密、商业秘密或者个人隐私（行政处罚法 第六十四条第（三）项）",
            )
    else:
        r.get("not_public_reason")
    investigators = r.codes("investigators", "案件调查人员", 1)
    if out["host"] and out["host"] in investigators:
        r.bad(
            "investigators",
            "the host may not be an investigator of the case (行政处罚法 第六十四条第（四）项)",
            "听证主持人不得为本案调查人员（行政处罚法 第六十四条第（四）项）",
        )
    out["investigators"] = investigators
    absent = r.flag("party_absent", "当事人是否缺席", default=False)
    out["party_absent"] = bool(absent)
    out["case_statement"] = r.field("case_statement", "调查人员提出的违法事实、证据和处罚建议")
    if out["party_absent"]:
        # 第六十四条第（六）项: 无正当理由拒不出席 … 视为放弃听证权利, the hearing ends.
        out["absence_note"] = r.field("absence_note", "当事人缺席或者中途退出的情况", limit=1000)
        out["attendees"] = []
        out["party_statement"] = r.field("party_statement", "当事人的陈述和申辩", required=False)
        out["cross_examination"] = r.field("cross_examination", "质证意见", required=False)
        out["final_statement"] = r.field("final_statement", "当事人的最后陈述", required=False)
        r.get("attendees")
    else:
        r.get("absence_note")
        out["absence_note"] = None
        out["attendees"] = _attendees(r)
        out["party_statement"] = r.field("party_statement", "当事人的陈述和申辩")
        out["cross_examination"] = r.field("cross_examination", "质证意见")
        out["final_statement"] = r.field("final_statement", "当事人的最后陈述")
    out["proceedings"] = _proceedings(r)
    return out | _signature(r, "当事人或者其代理人")


def _attendees(r: _Reader) -> list[dict[str, Any]]:
    value = r.get("attendees")
    if isinstance(value, str):
        value = [_attendee_line(line) for line in value.splitlines() if line.strip()]
    if not value:
        r.bad("attendees", "required: who attended for the party (name and role)", "请填写出席听证的当事人及其代理人")
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        r.bad("attendees", "must be a list of {name, role, id_number?}", "出席人员应为列表")
        return []
    out = []
    for i, item in enumerate(value, start=1):
        path = f"attendees[{i}]"
        if not isinstance(item, dict):
            r.bad(path, "must be an object {name, role, id_number?}", "出席人员格式不正确")
            continue
        for key in sorted(set(item) - {"name", "role", "id_number"}):
            r.bad(f"{path}.{key}", "unknown field (a typing error?)", "未定义的字段")
        name = r.text(item.get("name"), f"{path}.name", "姓名", limit=100)
        role = r.text(item.get("role"), f"{path}.role", "身份", limit=20)
        if role and role not in ATTENDEE_ROLES:
            r.bad(f"{path}.role", f"one of {', '.join(ATTENDEE_ROLES)}", f"身份应为：{'、'.join(ATTENDEE_ROLES)}")
        id_number = r.text(item.get("id_number"), f"{path}.id_number", "身份证件号码", required=False, limit=32)
        out.append({"name": name, "role": role, "id_number": id_number})
    agents = sum(1 for a in out if a["role"] == "委托代理人")
    if agents > MAX_AGENTS:
        r.bad(
            "attendees",
            f"{agents} agents: the party may be represented by one or two (行政处罚法 第六十四条第（五）项)",
            "当事人可以委托一至二人代理（行政处罚法 第六十四条第（五）项）",
        )
    return out


def _attendee_line(line: str) -> dict[str, Any] | str:
    """``周某（法定代表人）``, one attendee a line, as in the form."""
    m = re.fullmatch(r"\s*(.+?)\s*[（(]\s*(.+?)\s*[)）]\s*", line)
    return {"name": m.group(1), "role": m.group(2)} if m else line


def _proceedings(r: _Reader) -> list[dict[str, str]]:
    value = r.get("proceedings")
    if not value:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        r.bad("proceedings", "must be a list of {speaker, content}", "听证过程应为列表")
        return []
    out = []
    for i, item in enumerate(value, start=1):
        path = f"proceedings[{i}]"
        if not isinstance(item, dict):
            r.bad(path, "must be an object {speaker, content}", "格式不正确")
            continue
        for key in sorted(set(item) - {"speaker", "content"}):
            r.bad(f"{path}.{key}", "unknown field (a typing error?)", "未定义的字段")
        speaker = r.text(item.get("speaker"), f"{path}.speaker", "发言人", limit=100)
        content = r.text(item.get("content"), f"{path}.content", "发言内容")
        if speaker and content:
            out.append({"speaker": speaker, "content": content})
    return out


def _folded(params: dict[str, Any]) -> dict[str, Any]:
    """Flat form fields ``interviewee.name`` … folded into the ``interviewee`` object."""
    out = {k: v for k, v in params.items() if not k.startswith("interviewee.")}
    flat = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("interviewee.") and v not in (None, "")}
    if flat and not isinstance(out.get("interviewee"), dict):
        out["interviewee"] = flat
    elif flat:
        out.update({f"interviewee.{k}": v for k, v in flat.items()})  # both given: refused as unknown
    return out


def validate(kind: str, params: dict[str, Any], now: datetime, notice: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record of ``kind`` in normal form from the step's parameters, or :class:`RecordInvalid`
    naming every problem. ``notice`` is the hearing notice's data (host, place, public)."""
    if kind not in RECORD_KINDS:
        raise InvalidField("record_kind", f"one of {', '.join(RECORD_KINDS)}", "笔录类型不正确")
    r = _Reader(_folded(params))
    if kind == "inquiry_record":
        out = _inquiry(r, now)
    elif kind == "inspection_record":
        out = _inspection(r, now)
    elif kind == "site_record":
        out = _site(r, now)
    else:
        out = _hearing(r, now, notice or {})
    # A key this record does not read is refused (a typing error must not vanish) unless it carries
    # nothing: one form serves the three investigation records, its unticked boxes come as false.
    unknown = sorted(k for k, v in r.given.items() if k not in r.used | STEP_KEYS and v not in (None, "", False, []))
    for key in unknown:
        r.bad(key, "unknown field of this record (a typing error?)", "未定义的字段")
    if r.problems:
        raise RecordInvalid(kind, r.problems)
    return out


def masked(record: dict[str, Any], mask_id: Callable[[str], str], mask_phone: Callable[[str], str]) -> dict[str, Any]:
    """The record as shown to a user who may not see personal data (个人信息保护法 第六条: no more
    than needed): the ID number and phone of the person inquired and the attendees' ID numbers
    masked."""
    out = dict(record)
    if isinstance(out.get("interviewee"), dict):
        person = dict(out["interviewee"])
        if person.get("id_number"):
            person["id_number"] = mask_id(person["id_number"])
        if person.get("phone"):
            person["phone"] = mask_phone(person["phone"])
        out["interviewee"] = person
    if isinstance(out.get("attendees"), list):
        out["attendees"] = [
            a | {"id_number": mask_id(a["id_number"])} if isinstance(a, dict) and a.get("id_number") else a
            for a in out["attendees"]
        ]
    return out
