"""Who may read the evidence files of leads, tasks and off-site cases: the guards the app registers
with the evidence store (``zhifa.sensing.access``; docs/sensing.md, "Evidence"). They follow the
visibility the dispatch domain gives these records everywhere else:

* **tasks** as ``GET /api/v1/tasks/{id}`` (``service.scoped``): a field officer the tasks he is
  assigned to, the supervising roles those of their units and the units below
  (``org.service.visible_units``), the command center every task;
* **leads** as every lead route scopes them (``monitoring.access``): the leads of the actor's
  units, a lead no unit was routed to only for the detachment-wide roles and administrators;
* **off-site notices** as ``GET /api/v1/offsite/{id}`` shows the owner's details: the reading
  roles, in the actor's units, and only for those who see personal data unmasked (the notice
  names the owner).

A lead's file is one its **events** carry (``sensing_event.images``, through
``monitoring_lead_event``). No index leads from a hash to the events naming it (the column is
JSON, on SQLite and PostgreSQL alike), so the lead guards go from the lead side:

* :func:`lead_ref_guard`: the lead the request names (``?ref=lead:ID`` or the lead page it was
  loaded from) — its row and its few events, by primary key;
* :func:`lead_guard`: the visible leads whose own image list (``monitoring_lead.images``, which
  the monitoring domain keeps as the union of its events' images) holds the hash, confirmed on
  their events — first those created from two days before to a day after the file was stored
  (by the index on ``created_at``: the lead an image's event raised or folded into is there),
  and only when none of them holds it, all the others (a scan of the visible leads: what a
  404 costs). docs/sensing.md, "Evidence", has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Text, and_, cast, select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.core.auth import can_see_pii
from zhifa.dispatch.models import OffsiteCase, Task, TaskEvidence
from zhifa.dispatch.offsite import READ_ROLES as OFFSITE_READ_ROLES
from zhifa.dispatch.service import scoped
from zhifa.monitoring import access as lead_access
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.org.service import visible_units
from zhifa.sensing.access import Ref
from zhifa.sensing.models import Event, Evidence

#: :func:`lead_guard` looks first at the leads created from this long before a file was stored
#: (an image's event folds into a lead within the dedup window of the lead's first event, 24 h by
#: default) to this long after it (the worker's lag behind ingestion).
NEAR_BEFORE = timedelta(days=2)
NEAR_AFTER = timedelta(days=1)


def task_guard(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """A task's photo or video (``dispatch_task_evidence``, indexed by hash): whoever sees the task."""
    ids = list(session.scalars(select(TaskEvidence.task_id).where(TaskEvidence.sha256 == digest)))
    if not ids:
        return None
    task_id = session.scalar(scoped(session, actor, select(Task.id).where(Task.id.in_(ids))).order_by(Task.id).limit(1))
    return None if task_id is None else f"task {task_id}"


def _pattern(digest: str) -> str:
    """``LIKE`` pattern for the hash as a string of a JSON list (hex digits: no wildcards in it)."""
    return f'%"{digest}"%'


def _holds(session: Session, lead_id: int, digest: str) -> bool:
    """Whether an event of the lead carries the image (its few events, by the link's primary key)."""
    rows = session.scalars(
        select(Event.images)
        .join(LeadEvent, LeadEvent.event_id == Event.id)
        .where(LeadEvent.lead_id == lead_id, cast(Event.images, Text).like(_pattern(digest)))
    )
    return any(digest in (images or []) for images in rows)


def lead_ref_guard(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """The leads the request names: visible, and one of their events carries the image."""
    wanted = [r.id for r in refs if r.kind == "lead"]
    if not wanted:
        return None
    scope = lead_access.lead_scope(session, actor)
    for lead_id in wanted:
        row = session.execute(select(Lead.unit_code).where(Lead.id == lead_id)).first()
        if row is not None and lead_access.sees(scope, row.unit_code) and _holds(session, lead_id, digest):
            return f"lead {lead_id}"
    return None


def lead_guard(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """Any visible lead one of whose events carries the image: first among the leads created near
    the time the file was stored (by the index on ``created_at``), then among all the others."""
    scope = lead_access.lead_scope(session, actor)
    if scope is not None and not scope:
        return None  # no unit: no lead to see
    stored = session.get(Evidence, digest)
    if stored is None:
        return None
    q = select(Lead.id, Lead.unit_code).where(cast(Lead.images, Text).like(_pattern(digest)))
    near = Lead.created_at.between(stored.created_at - NEAR_BEFORE, stored.created_at + NEAR_AFTER)
    # Near: the units are checked here, on the few leads whose list names the hash (a condition on
    # the unit would tempt SQLite's planner to the unit's index rather than the time's). The rest:
    # the unit's index spares a unit's user the other units' leads.
    rest = ~near if scope is None else and_(~near, Lead.unit_code.in_(sorted(scope)))
    for part in (near, rest):
        for lead_id, unit in sorted(session.execute(q.where(part)).all(), reverse=True):  # newest first
            if lead_access.sees(scope, unit) and _holds(session, lead_id, digest):
                return f"lead {lead_id}"
    return None


def offsite_notice_guard(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """An off-site case's notice (it names the owner): the off-site reading roles, in the actor's
    units, with the personal-data privilege (``PII_ROLES``)."""
    if not actor.has(*OFFSITE_READ_ROLES) or not can_see_pii(actor):
        return None
    q = select(OffsiteCase.id).where(OffsiteCase.notice_sha256 == digest)
    scope = visible_units(session, actor)
    if scope is not None:
        q = q.where(OffsiteCase.unit_code.in_(sorted(scope)))
    case_id = session.scalar(q.order_by(OffsiteCase.id).limit(1))
    return None if case_id is None else f"offsite case {case_id}"
