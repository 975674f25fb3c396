"""Who may read a file of the evidence store (``GET /api/v1/evidence/{sha256}``; docs/sensing.md,
"Evidence").

The store is shared: camera and weigh-in-motion images of leads, scene photos and body-camera
videos of tasks, off-site notices, case evidence. A person reads a file when they may see at
least one thing that references it, or when they uploaded it; otherwise the file reads as
missing (404, the answer for an unknown hash), so that a hash's existence is not revealed.

The things that reference a file belong to the domains above the sensing layer (monitoring,
dispatch, cases), which it cannot import. Each of them registers a guard here (the app does, at
start: ``zhifa.app.create_app``), as the cases register theirs with the documents domain:

* a guard is called with the session, the actor, the file's SHA-256 (lower case) and the
  references the request names (:class:`Ref`: ``?ref=lead:12``, or the page it was loaded from);
* it answers the reference that lets the actor read the file — ``"case 12"``, ``"task 3"`` …,
  written into the read's audit row — or ``None`` (no reference of its own the actor may see).

Guards are asked in the order they were registered until one answers: register the cheap ones
(indexed look-ups by hash) before those that have to search. With no guard registered, only
the uploader reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.sensing.models import Device, Evidence


@dataclass(frozen=True)
class Ref:
    """A reference the request names as the likely reason for reading (a hint: the guard that
    owns ``kind`` looks there first; it grants nothing by itself)."""

    kind: str  # "lead", "task", "case"
    id: int


EvidenceGuard = Callable[[Session, Actor, str, Sequence[Ref]], "str | None"]
_GUARDS: list[EvidenceGuard] = []

SHA256 = re.compile(r"[0-9a-f]{64}")
_REF = re.compile(r"(lead|task|case):(\d{1,18})")
#: A page of one lead, task or case: ``/monitoring/leads/12``, ``/tasks/3``, ``/m/tasks/3``, ``/cases/7``.
_PAGE = re.compile(r".*/(lead|task|case)s/(\d{1,18})/?")


def register_evidence_guard(guard: EvidenceGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def parse_ref(text: str | None) -> Ref | None:
    """``lead:12`` → ``Ref("lead", 12)``; anything else → None."""
    m = _REF.fullmatch(text or "")
    return Ref(m.group(1), int(m.group(2))) if m else None


def page_ref(path: str | None) -> Ref | None:
    """The lead, task or case whose page a request came from (the ``Referer``'s path), if any."""
    m = _PAGE.fullmatch(path or "")
    return Ref(m.group(1), int(m.group(2))) if m else None


def readable(session: Session, actor: Actor, digest: str, refs: Sequence[Ref] = ()) -> str | None:
    """Why ``actor`` may read the stored file ``digest``: ``"uploader"`` or the reference a guard
    names; ``None`` when there is no such file or the actor may not read it. Reads only."""
    digest = digest.lower()
    if not SHA256.fullmatch(digest):
        return None
    row = session.get(Evidence, digest)  # (kept in the session: the route then reads the file by it)
    if row is None:
        return None
    uploader = row.created_by
    # The uploader, unless the name is a device's (a device's images are not a user's of that name).
    if uploader == actor.username and session.scalar(select(Device.id).where(Device.code == uploader)) is None:
        return "uploader"
    for guard in _GUARDS:
        basis = guard(session, actor, digest, refs)
        if basis is not None:
            return basis
    return None
