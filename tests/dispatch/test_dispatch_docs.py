"""docs/dispatch.md documents every route, setting, command and seeded default; the articles the
code cites are there too."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.dispatch.api import router
from zhifa.dispatch.cli import dispatch_app
from zhifa.dispatch.config import DispatchConfig
from zhifa.dispatch.models import DispatchSetting, SlaPolicy

DOC = (Path(__file__).parents[2] / "docs" / "dispatch.md").read_text("utf-8")


def test_every_route_is_documented() -> None:
    for route in router.routes:
        path = getattr(route, "path", "")
        for method in getattr(route, "methods", ()):
            rows = [ln for ln in DOC.splitlines() if ln.startswith("|") and f"`{path}`" in ln]
            assert any(method in ln.split("|")[1] for ln in rows), f"{method} {path} is not in the API table"


def test_every_command_is_documented() -> None:
    for command in dispatch_app.registered_commands:
        assert f"zhifa dispatch {command.name}" in DOC


def test_every_setting_is_documented_with_its_default(session: Session) -> None:
    table = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(\w+)` \| `([^`]*)`", DOC, flags=re.MULTILINE)
        if m.group(1) in DispatchConfig.__dataclass_fields__
    }
    defaults = DispatchConfig().as_dict()
    assert set(table) == set(defaults)
    for key, text in table.items():
        assert json.loads(text) == defaults[key], key
    seeded = {row.key: row.value for row in session.scalars(select(DispatchSetting))}
    assert seeded == defaults  # the migration seeds what the code and the docs say


def test_the_seeded_sla_ladders_are_the_documented_ones(session: Session) -> None:
    start = DOC.index("<!-- sla-defaults")
    lines = DOC[start:].splitlines()[3:]  # after the comment, the header and the rule
    documented = {}
    for ln in lines[: next(i for i, x in enumerate(lines) if not x.startswith("|"))]:
        kind, priority, *minutes = [c.strip() for c in ln.strip("|").split("|")]
        documented[(kind, priority)] = tuple(int(m) for m in minutes)
    seeded = {
        (p.task_kind, p.priority): (p.accept_min, p.arrive_min, p.feedback_min, p.remind_before_min, p.center_after_min)
        for p in session.scalars(select(SlaPolicy))
    }
    assert len(documented) == 12 and seeded == documented


def test_the_articles_cited_in_code_are_in_the_docs() -> None:
    for article in (
        "行政处罚法 第四十一条",
        "第四十一条第二款",
        "第四十一条第三款",
        "第四十二条",
        "第四十七条",
        "第五十五条",
        "民事诉讼法 第八十五条",
        "个人信息保护法 第六条",
        "第二十八条",
        "国办发〔2020〕53号",
    ):
        assert article in DOC, article
