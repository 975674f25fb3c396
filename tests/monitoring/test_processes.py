"""The event pipeline across real processes: the ``zhifa`` CLI, ``zhifa serve`` (API plus its
embedded worker) and ``zhifa worker``, killed with SIGKILL mid-stream and run side by side.

What the issue asks and these tests show (docs/sensing.md, "What the process tests prove"):

* ``zhifa ingest FILE`` returns only once the file's events have been through the rules;
* an acknowledged event is never lost and never processed twice into leads, whatever process is
  killed when (PostgreSQL);
* two ``zhifa worker`` processes on PostgreSQL share the work without losing or doubling a lead.

Every subject's events carry the same event time, so the expected leads do not depend on which
worker processes which event in which order: the fold window is ``[first event, first + 24 h]``,
and an event earlier than a lead's first event opens a new lead (rules.folds), so events of one
subject at *different* times could legitimately split into two leads when processed out of order.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from tests.monitoring.conftest import TRANSPORT_ERRORS, WIM_KEY, Zhifa, free_port, http_json
from zhifa.core.audit import SYSTEM
from zhifa.core.db import make_engine, session_scope
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.monitoring.service import MAX_ATTEMPTS
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Event

CST = timezone(timedelta(hours=8))
OVER_KG, UNDER_KG = 30_000, 10_000  # 2 axles: the limit is 18,000 kg (18,900 with the 5 % tolerance)
#: test_killed_worker…: subjects over and under the limit (1-4 and 1-2 events each: ~3,200 events).
KILL_SUBJECTS = 800
#: test_two_workers…: subjects with 5 overloaded events each, and under the limit with 2 each
#: (5,500 events; the issue's scale, 2,000 and 500, takes over three minutes here).
SHARED_SUBJECTS, SHARED_UNDER = 1000, 250

on_postgresql = pytest.mark.skipif(
    os.environ.get("ZHIFA_TEST_DB", "sqlite").lower() != "postgresql",
    reason="the issue asks for this on PostgreSQL (several processes, FOR UPDATE SKIP LOCKED); "
    "run with ZHIFA_TEST_DB=postgresql",
)


def wim(event_id: str, plate: str, gross_kg: int, at: datetime) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "wim",
        "device": "WIM1",
        "time": at.astimezone(CST).isoformat(timespec="seconds"),
        "plate": plate,
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": gross_kg,
    }


def ndjson(events: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events).encode()


def plate(n: int) -> str:
    return f"苏L{n:05d}"


@pytest.fixture()
def db(zhifa_procs: Zhifa) -> Iterator[Engine]:
    """The test process's own view of the database the processes use (read-only here)."""
    eng = make_engine(zhifa_procs.db_url)
    yield eng
    eng.dispose()


def pending(eng: Engine) -> int:
    with eng.connect() as c:
        return int(c.scalar(select(func.count()).select_from(Event).where(Event.status == "pending")) or 0)


def wait_until_nothing_pending(eng: Engine, z: Zhifa, procs: list[Any], timeout: float) -> float:
    """Seconds it took; fails if a process died or the time ran out."""
    start = time.monotonic()
    while (n := pending(eng)) > 0:
        for p in procs:
            assert p.poll() is None, f"process {p.pid} died ({p.returncode}):\n{z.tail(p)}"
        with eng.connect() as c:
            stuck = c.execute(
                select(Event.event_id, Event.attempts, Event.last_error).where(
                    Event.status == "pending", Event.attempts >= MAX_ATTEMPTS
                )
            ).all()
        assert not stuck, f"events given up after {MAX_ATTEMPTS} attempts: {stuck[:5]}"
        assert time.monotonic() - start < timeout, f"{n} events still pending after {timeout} s"
        time.sleep(0.1)
    return time.monotonic() - start


def check_leads(eng: Engine, expected: dict[str, int], all_events: int) -> None:
    """The database holds exactly ``all_events`` events, all done; one overload lead per subject of
    ``expected`` (subject → its number of overloaded events), holding exactly those events, each once."""
    with eng.connect() as c:
        statuses = dict(c.execute(select(Event.status, func.count()).group_by(Event.status)).all())
        assert statuses == {"done": all_events}, statuses
        twice = c.execute(
            select(LeadEvent.event_id, func.count()).group_by(LeadEvent.event_id).having(func.count() > 1)
        ).all()
        assert twice == [], f"events folded into more than one lead: {twice[:5]}"
        leads = c.execute(select(Lead.id, Lead.kind, Lead.subject, Lead.count)).all()
        assert {x.kind for x in leads} <= {"overload"}, Counter(x.kind for x in leads)
        per_subject = Counter(x.subject for x in leads)
        doubled = {s: n for s, n in per_subject.items() if n > 1}
        assert doubled == {}, f"subjects with more than one lead: {list(doubled.items())[:5]}"
        assert set(per_subject) == set(expected)
        rows = dict(c.execute(select(LeadEvent.lead_id, func.count()).group_by(LeadEvent.lead_id)).all())
        wrong = [(x.subject, x.count, rows.get(x.id, 0)) for x in leads if x.count != rows.get(x.id, 0)]
        assert wrong == [], f"(subject, count, events) of leads whose count is not their events: {wrong[:5]}"
        wrong = [(x.subject, x.count, expected[x.subject]) for x in leads if x.count != expected[x.subject]]
        assert wrong == [], f"(subject, count, expected) of leads with a wrong count: {wrong[:5]}"
        # Each overloaded event is in a lead, no other event is, and the lead is its subject's.
        linked = c.execute(
            select(Event.plate, Event.plate_color, Lead.subject)
            .join(LeadEvent, LeadEvent.event_id == Event.id)
            .join(Lead, Lead.id == LeadEvent.lead_id)
        ).all()
        assert all(f"{p}/{col}" == s for p, col, s in linked)
        assert len(linked) == sum(expected.values())
        raised = c.scalar(select(func.count()).select_from(Event).where(Event.raised_lead.is_(True)))
        assert raised == sum(expected.values())


# --------------------------------------------------------------------------- 1. zhifa ingest FILE


def test_ingest_cli_returns_with_leads(zhifa_procs: Zhifa, tmp_path: Any) -> None:
    z = zhifa_procs
    t0 = time.monotonic()
    z.setup_world()
    base = datetime.now(UTC) - timedelta(minutes=10)
    good = [
        wim(f"f{i}", plate(i), OVER_KG if i % 2 == 0 else UNDER_KG, base + timedelta(seconds=i // 10))
        for i in range(2000)
    ]
    overloaded = {f"{plate(i)}/yellow": f"f{i}" for i in range(0, 2000, 2)}
    lines = [json.dumps(e, ensure_ascii=False) for e in good]
    bad = {  # inserted at these 0-based positions; the expected reason
        0: ("{not json", "malformed JSON"),
        400: ("", None),  # a blank line: skipped, but it still counts in the numbering
        700: (json.dumps(wim("bad1", "苏LI2345", OVER_KG, base), ensure_ascii=False), "plate"),
        1500: (json.dumps(wim("bad2", plate(99_999), 0, base), ensure_ascii=False), "greater than 0"),
        2003: (json.dumps(wim("bad3", plate(99_998), OVER_KG, base) | {"time": "2026-06-01T10:00:00"}), "offset"),
    }
    for pos in sorted(bad):
        lines.insert(pos, bad[pos][0])
    expected_rejected = {lines.index(text_) + 1: reason for text_, reason in bad.values() if reason}
    f = tmp_path / "events.ndjson"
    f.write_text("\n".join(lines) + "\n", "utf-8")

    t1 = time.monotonic()
    r = z.run("ingest", str(f))
    t_ingest = time.monotonic() - t1
    summary = json.loads(r.stdout)
    assert (summary["accepted"], summary["duplicate"]) == (2000, 0), summary
    got = {x["line"]: x["reason"] for x in summary["rejected"]}
    assert set(got) == set(expected_rejected), got
    for line, reason in expected_rejected.items():
        assert reason in got[line], (line, got[line])
    assert summary["processed"] == {"events": 2000, "findings": 1000, "leads": 1000, "failed": 0}

    # Immediately afterwards (nothing else runs): the leads are there.
    leads = json.loads(z.run("leads", "--json").stdout)
    assert len(leads) == 1000 and {x["kind"] for x in leads} == {"overload"}
    assert {x["subject"]: [e["id"] for e in x["events"]] for x in leads} == {s: [eid] for s, eid in overloaded.items()}
    assert all(x["count"] == 1 and x["unit"] == "RD1" for x in leads)

    # The same file again: every event is a duplicate; the bad lines are reported again; no new lead.
    again = json.loads(z.run("ingest", str(f)).stdout)
    assert (again["accepted"], again["duplicate"]) == (0, 2000), again
    assert again["rejected"] == summary["rejected"]
    assert again["processed"] == {"events": 0, "findings": 0, "leads": 0, "failed": 0}
    after = json.loads(z.run("leads", "--json").stdout)
    assert sorted((x["id"], x["count"]) for x in after) == sorted((x["id"], x["count"]) for x in leads)
    print(f"\nzhifa ingest of 2,000 events (with the rules): {t_ingest:.1f} s; test {time.monotonic() - t0:.1f} s")


# --------------------------------------------------------------------------- 2. SIGKILL mid-stream


@on_postgresql
@pytest.mark.postgres_only
@pytest.mark.slow
def test_killed_worker_loses_and_doubles_nothing(zhifa_procs: Zhifa, db: Engine) -> None:
    z = zhifa_procs
    t_start = time.monotonic()
    rng = random.Random(20260601)
    z.setup_world()

    # Subjects: overloaded ones with 1-4 events each, as many under the limit with 1-2 events; all of
    # a subject's events at one time (a few minutes to half an hour ago), shuffled over the batches.
    now = datetime.now(UTC)
    events: list[dict[str, Any]] = []
    expected: dict[str, int] = {}
    for n in range(2 * KILL_SUBJECTS):
        over = n < KILL_SUBJECTS
        k = rng.randint(1, 4) if over else rng.randint(1, 2)
        at = now - timedelta(seconds=rng.randint(300, 1800))
        for _ in range(k):
            events.append(wim(f"e{len(events):06d}", plate(n), OVER_KG if over else UNDER_KG, at))
        if over:
            expected[f"{plate(n)}/yellow"] = k
    rng.shuffle(events)
    over_ids = {e["id"] for e in events if e["gross_kg"] == OVER_KG}
    batches = [events[i : i + 200] for i in range(0, len(events), 200)]

    # The plan: SIGKILL the server three times and the separate worker once, each while a batch is
    # in flight (a random delay after the batch's request starts), at batches chosen by the seed
    # (at least three batches apart, so that every kill hits a process that is up and working).
    points = sorted(rng.sample(range(3, len(batches) - 3, 3), 4))
    victim = dict.fromkeys(points, "server") | {points[rng.randrange(4)]: "worker"}
    jitter = {i: rng.uniform(0.0, 0.2) for i in points}

    port = free_port()
    procs = {"server": z.serve(port), "worker": z.worker()}
    killed: list[tuple[str, int, float]] = []
    killed_pids: set[int] = set()
    timers: list[threading.Timer] = []

    def kill(which: str, p: Any) -> None:
        assert p.poll() is None
        killed_pids.add(p.pid)
        p.kill()
        p.wait(10)  # dead before anyone looks: keep_alive must see it gone to restart it
        killed.append((which, p.pid, time.monotonic()))

    def keep_alive() -> None:
        """Restart what the plan killed; anything else dying is a failure."""
        for which, p in list(procs.items()):
            if p.poll() is None:
                continue
            assert p.pid in killed_pids, f"{which} died on its own ({p.returncode}):\n{z.tail(p)}"
            procs[which] = z.serve(port) if which == "server" else z.worker()

    acks: dict[int, tuple[dict[str, Any], datetime]] = {}
    failures: Counter[int] = Counter()
    deadline = time.monotonic() + 300
    url = f"http://127.0.0.1:{port}/api/v1/events"
    headers = {"X-Device-Key": WIM_KEY, "Content-Type": "application/x-ndjson"}
    for i, batch in enumerate(batches):
        if i in victim:
            for t in timers:
                t.join()  # the previous kill has happened (posting can outrun a timer), then restart
            keep_alive()
            t = threading.Timer(jitter[i], kill, args=(victim[i], procs[victim[i]]))
            timers.append(t)
            t.start()
        body = ndjson(batch)
        while True:
            assert time.monotonic() < deadline, f"batch {i} not acknowledged in time"
            keep_alive()
            try:
                status, out = http_json("POST", url, body, headers, timeout=60)
            except TRANSPORT_ERRORS:
                failures[i] += 1  # the server died under the request: the device sends it again
                time.sleep(0.05)
                continue
            assert status == 200, (status, out)
            acks[i] = (out, datetime.now(UTC))
            break
    for t in timers:
        t.join(5)
    keep_alive()
    t_posted = time.monotonic() - t_start
    assert Counter(w for w, _, _ in killed) == {"server": 3, "worker": 1}, killed

    # Every acknowledgement is all-new or (a resend after a failed request) all-duplicate.
    for i, (out, _) in acks.items():
        assert out["rejected"] == [], out
        pair = (out["accepted"], out["duplicate"])
        assert pair == (len(batches[i]), 0) or (failures[i] and pair == (0, len(batches[i]))), (i, pair, failures[i])
    resent_dupes = [i for i, (out, _) in acks.items() if out["duplicate"]]

    took = wait_until_nothing_pending(db, z, list(procs.values()), timeout=420)

    with db.connect() as c:
        stored = Counter(tuple(r) for r in c.execute(select(Event.device_code, Event.event_id)))
        q = select(Event.event_id, Event.processed_at).where(Event.event_id.in_(over_ids))
        processed = {eid: at for eid, at in c.execute(q) if at is not None}
        retried = c.execute(select(Event.event_id, Event.attempts, Event.last_error).where(Event.attempts > 0)).all()
    assert stored == Counter(("WIM1", e["id"]) for e in events)
    check_leads(db, expected, len(events))
    assert retried == []  # no event was counted as failed: kills and lock conflicts are not failures

    # Information, not a test: how long after the acknowledgement the event was in its lead.
    latencies = sorted(
        (processed[e["id"]] - at).total_seconds()
        for i, (out, at) in acks.items()
        if out["accepted"]
        for e in batches[i]
        if e["id"] in over_ids
    )
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"\n{len(events)} events in {len(batches)} batches; "
        f"kills (what, s after start) {[(w, round(at - t_start, 1)) for w, _, at in killed]}; "
        f"failed requests {sum(failures.values())} (batches {sorted(failures)}), all-duplicate resends {resent_dupes}; "
        f"events retried after an error: {len(retried)} {retried[:3]}\n"
        f"posting {t_posted:.1f} s, then pending drained in {took:.1f} s; lead after ack: "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (n={len(latencies)})"
    )


# --------------------------------------------------------------------------- 3. two workers


@on_postgresql
@pytest.mark.postgres_only
@pytest.mark.slow
def test_two_workers_share_the_work(zhifa_procs: Zhifa, db: Engine) -> None:
    z = zhifa_procs
    t_start = time.monotonic()
    rng = random.Random(20260602)
    z.setup_world()

    # Overloaded subjects × 5 events (one time each) and some under the limit × 2, shuffled: a
    # subject's events land in different batches, so different workers fold into one lead.
    now = datetime.now(UTC)
    events: list[dict[str, Any]] = []
    for n in range(SHARED_SUBJECTS + SHARED_UNDER):
        over = n < SHARED_SUBJECTS
        at = now - timedelta(seconds=rng.randint(300, 3600))
        for _ in range(5 if over else 2):
            events.append(wim(f"e{len(events):06d}", plate(n), OVER_KG if over else UNDER_KG, at))
    rng.shuffle(events)
    with session_scope(db) as s:
        # Posts of 500 (each a ticket of the queue): eleven for two workers to share.
        for i in range(0, len(events), 500):
            r = sensing.ingest(s, ndjson(events[i : i + 500]), actor=SYSTEM)
            assert (r["accepted"], r["rejected"]) == (len(events[i : i + 500]), [])
    assert len(events) == 5 * SHARED_SUBJECTS + 2 * SHARED_UNDER
    # The trucks under the limit raise nothing: settled as they were stored (the rules' prescreen),
    # they are done already; the overloads wait for the workers.
    assert pending(db) == 5 * SHARED_SUBJECTS

    # Both at once. Each gets its own PostgreSQL application_name (libpq's PGAPPNAME), so that the
    # test can see in pg_stat_activity which worker holds which transaction.
    names = ("zhifa-test-worker-a", "zhifa-test-worker-b")
    workers = [z.worker(name=n, env={"PGAPPNAME": n}) for n in names]
    t_workers = time.monotonic()
    batches: dict[str, set[str]] = {n: set() for n in names}  # transaction ids seen per worker
    both_at_once = 0
    deadline = t_workers + 480
    while pending(db) > 0:
        assert time.monotonic() < deadline, f"{pending(db)} events still pending after 480 s"
        for w in workers:
            assert w.poll() is None, f"worker died ({w.returncode}):\n{z.tail(w)}"
        with db.connect() as c:
            # A worker transaction has a transaction id only once it has locked or written a row,
            # i.e. once its claim (SELECT … FOR UPDATE SKIP LOCKED) returned events to process.
            busy = c.execute(
                text(
                    "SELECT application_name, backend_xid::text FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = ANY(:names) "
                    "AND backend_xid IS NOT NULL"
                ),
                {"names": list(names)},
            ).all()
        for name, xid in busy:
            batches[name].add(xid)
        both_at_once += len({name for name, _ in busy}) == 2
        time.sleep(0.02)
    took = time.monotonic() - t_workers
    for w in workers:
        assert w.poll() is None, f"worker died ({w.returncode}):\n{z.tail(w)}"
    codes = [z.stop(w) for w in workers]
    assert codes == [0, 0], [z.tail(w) for w in workers]
    for w in workers:  # no batch was rolled back as a whole (it would have to be redone by someone)
        assert "worker batch failed" not in z.tail(w, 10**8), z.tail(w)

    expected = {f"{plate(n)}/yellow": 5 for n in range(SHARED_SUBJECTS)}
    check_leads(db, expected, len(events))
    with db.connect() as c:
        total = c.scalar(select(func.sum(Lead.count)))
        retried = c.execute(select(Event.event_id, Event.attempts, Event.last_error).where(Event.attempts > 0)).all()
    assert total == 5 * SHARED_SUBJECTS
    assert retried == []  # workers defer each other's subjects instead of deadlocking

    # The product records no worker per event, so the share of each cannot be counted; what can be
    # shown: each worker held claiming transactions (it processed batches), and at the same time.
    assert all(batches[n] for n in names), {n: len(v) for n, v in batches.items()}
    assert both_at_once > 0
    print(
        f"\n{len(events)} events by two workers in {took:.1f} s; claiming transactions seen per worker "
        f"{ {n[-1]: len(v) for n, v in batches.items()} }, samples with both busy {both_at_once}; "
        f"events retried after an error: {len(retried)} {retried[:3]}; test {time.monotonic() - t_start:.1f} s"
    )
