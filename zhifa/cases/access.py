"""Who may see and act on which case — decided here, once; every case route asks (docs/cases.md,
"Access").

* Officers and leaders (the unit roles) see and act on the cases of their unit **and of the units
  below it** (``org.service.descendants``): a brigade leader approves for the squadrons of the
  brigade, and the platform scopes tasks, the wall and officer lists the same way
  (``org.service.visible_units``).
* The command center's duty officers, legal reviewers and analysts (``DETACHMENT_WIDE_ROLES``)
  and administrators see every case; what they may *do* stays their roles' (legal reviewers take
  the review steps of every unit; duty officers and analysts take no step).
* A case outside the actor's scope answers **404**, the same answer as a case that does not
  exist, for reads and writes alike: its existence is not revealed.
* On a case of another unit a user holding both kinds of role acts only through the wide ones:
  :meth:`Scope.actor_for` drops ``officer`` and ``leader`` from the actor the service sees, so the
  service's own role checks (``require``) refuse an officer's step there, and a leader's personal
  data privilege (``PII_ROLES``) does not reach another unit's party.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.cases.models import Case, CaseEvidence
from zhifa.core.audit import Actor
from zhifa.core.errors import Forbidden, NotFound
from zhifa.dispatch.models import OffsiteCase, Task
from zhifa.monitoring.models import Lead
from zhifa.org import service as org_service
from zhifa.sensing.access import Ref

#: Roles that act on the cases of their own unit (and its sub-units) only.
UNIT_ROLES = frozenset({"officer", "leader"})
#: Roles that see the cases of every unit (the command center, legal review, analysis).
WIDE_ROLES = frozenset(org_service.DETACHMENT_WIDE_ROLES)


@dataclass(frozen=True)
class Scope:
    """The cases an actor may see: every unit (``wide``), or those of ``units``."""

    actor: Actor
    wide: bool
    #: The actor's unit and the units below it (what the unit roles reach); empty without a unit.
    units: frozenset[str]

    @property
    def unit_filter(self) -> frozenset[str] | None:
        """For list queries: ``None`` = every unit, else the unit codes to keep (maybe none)."""
        return None if self.wide else self.units

    def sees(self, unit_code: str) -> bool:
        return self.wide or unit_code in self.units

    def actor_for(self, unit_code: str) -> Actor:
        """The actor as the service should see them on a case of ``unit_code``: officer and leader
        count only on cases of their units; administrators and the system keep every role."""
        a = self.actor
        if unit_code in self.units or a.kind == "system" or "admin" in a.roles:
            return a
        return replace(a, roles=frozenset(a.roles - UNIT_ROLES))

    def where(self, q: Any, column: Any = Case.unit_code) -> Any:
        """``q`` limited to this scope's units (unchanged when wide)."""
        units = self.unit_filter
        return q if units is None else q.where(column.in_(sorted(units)))


def scope(session: Session, actor: Actor) -> Scope:
    wide = actor.kind == "system" or actor.has(*WIDE_ROLES)  # has(): administrators have every role
    units = frozenset(org_service.descendants(session, actor.unit_code)) if actor.unit_code else frozenset()
    return Scope(actor, wide, units)


def not_found(case_id: int) -> NotFound:
    """The answer for a case that does not exist *and* for one outside the actor's scope."""
    return NotFound(f"no case {case_id}", "案件不存在")


def case_for(session: Session, actor: Actor, case_id: int) -> tuple[Case, Actor]:
    """The case and the actor to act on it with; 404 when it does not exist or is out of scope."""
    sc = scope(session, actor)
    case = session.get(Case, case_id)
    if case is None or not sc.sees(case.unit_code):
        raise not_found(case_id)
    return case, sc.actor_for(case.unit_code)


def actor_for_case(session: Session, actor: Actor, case_id: int) -> Actor:
    """:func:`case_for` for routes that pass the case id on to the service."""
    return case_for(session, actor, case_id)[1]


def visible(session: Session, actor: Actor, case_id: int) -> bool:
    """Whether the case exists and is in the actor's scope (the web page's check)."""
    unit = session.scalar(select(Case.unit_code).where(Case.id == case_id))
    return unit is not None and scope(session, actor).sees(unit)


def check_filing(session: Session, actor: Actor, data: dict[str, Any]) -> None:
    """A case is filed for a unit the actor's unit roles reach (administrators: any unit). The
    unit list is no secret, so that is a 403 naming the rule; a lead, task or off-site case of
    another unit to file from reads as not existing (404), as the dispatch domain scopes them."""
    if actor.kind == "system" or "admin" in actor.roles:
        return
    units = scope(session, actor).units
    unit_code = data.get("unit_code")
    if unit_code is not None and str(unit_code) not in units:
        raise Forbidden(
            f"cases are filed for your own unit or a unit below it, not {unit_code}",
            "只能为本单位或下级单位立案",
            field="unit_code",
        )
    sources = (
        ("lead_id", Lead, "lead", "线索不存在"),
        ("task_id", Task, "task", "指令不存在"),
        ("offsite_case_id", OffsiteCase, "off-site case", "非现场执法案件不存在"),
    )
    for key, model, what, zh in sources:
        ref = data.get(key)
        if ref is None or not str(ref).isdigit():
            continue  # the service answers for a malformed reference
        source_unit = session.scalar(select(model.unit_code).where(model.id == int(ref)))
        if source_unit is not None and source_unit not in units:
            raise NotFound(f"no {what} {ref}", zh)


def list_units(session: Session, sc: Scope, unit: str | None = None) -> Collection[str] | None:
    """A list's units: the scope, narrowed to ``unit`` and the units below it when asked."""
    if not unit:
        return sc.unit_filter
    wanted = frozenset(org_service.descendants(session, unit))
    return wanted if sc.unit_filter is None else wanted & sc.unit_filter


def document_guard(session: Session, actor: Actor, case_ref: str) -> bool | None:
    """``documents.service`` reference guard: a document issued for a case (``case_ref`` = the
    case number) is seen by whoever sees the case; ``None`` for references that are no case."""
    unit = session.scalar(select(Case.unit_code).where(Case.case_no == case_ref))
    if unit is None:
        return None
    return scope(session, actor).sees(unit)


def evidence_guard(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """``sensing.access`` guard: a file linked as a case's evidence (``cases_evidence``, indexed by
    hash) is read by whoever sees one of those cases; answers ``"case {id}"`` for the first."""
    rows = session.execute(
        select(CaseEvidence.case_id, Case.unit_code)
        .join(Case, Case.id == CaseEvidence.case_id)
        .where(CaseEvidence.sha256 == digest)
        .order_by(CaseEvidence.case_id)
    ).all()
    if not rows:
        return None
    sc = scope(session, actor)
    return next((f"case {case_id}" for case_id, unit in rows if sc.sees(unit)), None)
