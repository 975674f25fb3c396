"""docs/cases.md names every step, deadline, setting and route (a test fails when one is added
without its documentation)."""

from __future__ import annotations

from pathlib import Path

from zhifa.cases import procedure
from zhifa.cases.config import CaseConfig

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cases.md").read_text("utf-8")


def test_every_step_deadline_and_setting_is_documented() -> None:
    missing = [f"`{s.action}`" for s in procedure.STEPS if f"`{s.action}`" not in DOC]
    missing += [f"`{k}`" for k in procedure.DEADLINES if f"`{k}`" not in DOC]
    missing += [f"`{k}`" for k in CaseConfig.__dataclass_fields__ if f"`{k}`" not in DOC]
    missing += [f"`{s}`" for s in procedure.STATES if f"`{s}`" not in DOC]
    assert missing == []


def test_every_route_is_documented() -> None:
    from zhifa.cases.api import public_router, router

    paths = {r.path for r in (*router.routes, *public_router.routes)}  # type: ignore[attr-defined]
    assert sorted(p for p in paths if f"`{p}`" not in DOC) == []


def test_the_step_table_in_the_docs_is_procedure_steps() -> None:
    """Each row of the step table in docs/cases.md says what ``procedure.STEPS`` says: from, to,
    who, procedure, document, opens, meets, voids and via."""

    def names(cell: str) -> tuple[str, ...]:
        cell = cell.strip()
        return () if not cell else tuple(x.strip() for x in cell.replace(" / ", ", ").split(","))

    header = "| step | 中文 | from | to | who | procedure | document | opens | meets | voids | via |"
    assert header in DOC
    rows = {}
    for line in DOC.split(header, 1)[1].splitlines()[2:]:
        if not line.startswith("| `"):
            break
        cells = line.split("|")[1:-1]
        rows[cells[0].strip().strip("`")] = cells
    assert list(rows) == [s.action for s in procedure.STEPS]
    for s in procedure.STEPS:
        _, zh, src, to, who, proc, doc, opens, meets, voids, via = rows[s.action]
        document = (s.document,) if isinstance(s.document, str) else (s.document or ())
        procs = ("both",) if set(s.procedures) == {"general", "simplified"} else s.procedures
        assert (zh.strip(), names(src), to.strip(), names(who), names(proc)) == (
            s.zh,
            s.sources,
            s.target or "(stays)",
            s.roles,
            procs,
        ), s.action
        assert (names(doc), names(opens), names(meets), names(voids), via.strip()) == (
            document,
            s.opens,
            s.meets,
            s.voids,
            s.via or "",
        ), s.action
