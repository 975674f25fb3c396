"""Who sees which lead — the one rule every lead route asks: the detachment-wide roles (duty
officers, analysts, legal reviewers) and administrators see every lead; anyone else the leads
routed to their unit or a unit below it (``org.service.visible_units``), as the dispatch queue
shows them. A lead routed to no unit is seen by the detachment-wide roles only. Outside the scope
a lead answers 404, as a missing one does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.core.errors import NotFound
from zhifa.org.service import visible_units


def lead_scope(session: Session, actor: Actor) -> set[str] | None:
    """The unit codes whose leads ``actor`` sees; ``None``: all (administrators included:
    ``Actor.has`` grants them every role)."""
    return visible_units(session, actor)


def sees(scope: set[str] | None, unit_code: str | None) -> bool:
    return scope is None or (unit_code is not None and unit_code in scope)


def check(session: Session, actor: Actor, lead_id: int, unit_code: str | None) -> None:
    if not sees(lead_scope(session, actor), unit_code):
        raise NotFound(f"no lead {lead_id}", f"线索 {lead_id} 不存在")
