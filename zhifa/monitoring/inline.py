"""The vehicle rules run by the API, in the very transaction that stores the events.

Most of the stream is vehicle events (weigh-in-motion, plate captures) whose rules read only the
registry, the leads and earlier events. The API that has just inserted a batch runs those rules
on it before it commits — the same functions the worker runs on the events it claims
(``service.vehicle_findings``, ``service.claim_subjects``, ``service.fold_ready``) — and stores
the events as ``done`` straight away. The worker then never claims them, and no event row is
updated a second time to say it was processed: on PostgreSQL the claim (a row lock each) and the
mark (a new row version with an entry in every index) were two thirds of the database's work.

What stays with the worker, stored ``pending`` as before:

* AIS and ship passages (their windows are in event time: decided once the stream has moved on);
* on PostgreSQL, plate captures at passenger hubs: ``illegal_operation`` counts the vehicle's
  other captures, and two API transactions committing at once would not see each other's. (On
  SQLite one writer at a time sees every earlier capture.)
* an event whose rule fails: back to ``pending`` with the error and one attempt counted;
* an event whose subject another transaction holds (PostgreSQL), or whose fold fails: back to
  ``pending``, uncounted, for the worker.

Acknowledged still means durably stored: the events, their leads and their links commit together
or not at all (a server killed mid-batch stores none of it, and the device sends the batch again).

Off with ``ZHIFA_INLINE_RULES=0`` (then the worker does all of it, as before).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.jurisdiction import service as jurisdiction
from zhifa.monitoring import bulk, rules, service
from zhifa.monitoring.admin import current_config
from zhifa.sensing.events import EventRow, ParsedEvent
from zhifa.sensing.models import Device

log = logging.getLogger(__name__)


def enabled() -> bool:
    """Whether the API runs the vehicle rules inline (``ZHIFA_INLINE_RULES``, default on)."""
    return os.environ.get("ZHIFA_INLINE_RULES", "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass
class InlinePlan:
    """One batch's plan: which of its events the API processes (``takes``, in the batch's order),
    and what their rules need (settings, devices, hub cameras), read once in the storing
    transaction."""

    takes: list[bool]
    cfg: rules.MonitoringConfig
    cfg_version: int
    devices: dict[str, Device]
    hubs: set[str]

    def run(self, session: Session, rows: list[EventRow]) -> dict[str, int]:
        """The vehicle rules over the batch's newly inserted events (stored ``done``, in id order),
        in the caller's transaction. Returns counts: ``done``, ``leads``, ``failed``, ``deferred``."""
        if not rows:
            return {"done": 0, "leads": 0, "failed": 0, "deferred": 0}
        sid = id(session)
        service.CONFIG_VERSION[sid] = self.cfg_version
        try:
            found = service.vehicle_findings(session, rows, self.devices, self.cfg, self.hubs)
            ready, deferred = service.claim_subjects(session, found.with_leads)
            raised = 0
            if ready:
                router = jurisdiction.get_router(session)
                sp = session.begin_nested()
                try:
                    raised = service.fold_ready(session, router, ready, self.devices, self.cfg)
                    bulk.mark_raised(session, [row.id for row, _ in ready])
                    sp.commit()
                except Exception as exc:
                    sp.rollback()
                    # The worker's fallback (one event at a time, each in a savepoint) finds the
                    # culprit; here the events go back to the queue as they are.
                    log.warning("inline fold of %d events failed (%s); left to the worker", len(ready), exc)
                    deferred += [row for row, _ in ready]
                    ready = []
            bulk.requeue(session, [row.id for row in deferred])
            for event_id, err in found.failures:
                bulk.requeue(session, [event_id], error=f"{type(err).__name__}: {err}"[:2000])
        finally:
            service.CONFIG_VERSION.pop(sid, None)
        return {
            "done": len(found.quiet) + len(ready),
            "leads": raised,
            "failed": len(found.failures),
            "deferred": len(deferred),
        }


def plan(session: Session, events: list[ParsedEvent]) -> InlinePlan:
    """Which events of a parsed batch the API processes itself (see the module's text)."""
    if not any(ev.type in service.VEHICLE_TYPES for ev in events):
        return InlinePlan([False] * len(events), rules.MonitoringConfig(), 0, {}, set())  # nothing to read
    cfg, version = current_config(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    hubs = service.hub_devices(session, devices, cfg)
    on_pg = session.get_bind().dialect.name == "postgresql"
    takes = [
        ev.type in service.VEHICLE_TYPES and not (on_pg and ev.type == "plate_capture" and ev.device in hubs)
        for ev in events
    ]
    return InlinePlan(takes, cfg, version, devices, hubs)
