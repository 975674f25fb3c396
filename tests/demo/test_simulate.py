"""The simulated feed without a server: deterministic streams that pass the server's own event
validation, realistic traffic, circling unlicensed cars, AIS tracks in the channel, dark passages,
a clock that never runs ahead, and retries that re-send the same batch."""

from __future__ import annotations

import csv
import io
import itertools
import json
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import LineString, Point

from zhifa.demo import geography
from zhifa.demo.generate import generate
from zhifa.demo.registry import FIXED_SITES
from zhifa.demo.simulate import CITY_CURVE, ROAD_CURVE, Simulator, read_devices
from zhifa.monitoring.passage import crossings, decide_passage
from zhifa.monitoring.rules import overload_limit_kg
from zhifa.sensing.ais import decode_lines, position_fix, static_data
from zhifa.sensing.events import parse_event

START = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 09:00 in Zhenjiang
T0 = START.timestamp()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = generate(tmp_path_factory.mktemp("demo"), scale=0.02)
    return files["devices"].parent


def sim(demo_dir: Path, start: datetime = START, **kw: Any) -> Simulator:
    return Simulator("http://sim.invalid", demo_dir / "devices.csv", start=start, log=io.StringIO(), **kw)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def t_of(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"]).timestamp()


def test_same_seed_same_events_whatever_the_steps(demo_dir: Path) -> None:
    one = sim(demo_dir, rate=2.0).events_until(T0 + 900)
    stepped = sim(demo_dir, rate=2.0)
    many: list[tuple[str, dict[str, Any]]] = []
    t = T0
    for step in (0.5, 3, 7.25, 60, 1, 200, 13, 615.25):
        t += step
        many += stepped.events_until(t)
    assert t == T0 + 900
    assert one == many and len(one) > 1000
    other = sim(demo_dir, rate=2.0, seed=7).events_until(T0 + 900)
    assert [e for _, e in other] != [e for _, e in one]


def test_every_event_passes_the_servers_validation(demo_dir: Path) -> None:
    devices = read_devices(demo_dir / "devices.csv")
    known = {d.code: (d.kind, "wgs84", d.lon, d.lat) for d in devices}
    s = sim(demo_dir, rate=2.0, overload_share=0.2)
    until = T0 + 1800
    events = s.events_until(until)
    ids: set[tuple[str, str]] = set()
    for n, (code, event) in enumerate(events, start=1):
        parsed = parse_event(n, json.loads(json.dumps(event)), known, START + timedelta(hours=1), code)
        assert parsed.time.utcoffset() == timedelta(hours=8)
        assert event["time"].endswith("+08:00") and t_of(event) <= until
        assert t_of(event) >= T0
        assert event["id"].startswith("sim-") and len(event["id"]) <= 64
        ids.add((code, event["id"]))
    assert len(ids) == len(events)
    assert set(Counter(e["type"] for _, e in events)) == {"wim", "plate_capture", "ais", "ship_passage"}
    assert {code for code, _ in events} == {d.code for d in devices}  # every device speaks


def test_traffic_follows_the_time_of_day(demo_dir: Path) -> None:
    for curve in (ROAD_CURVE, CITY_CURVE):
        day = [curve(T0 + i * 60) for i in range(24 * 60)]
        assert sum(day) / len(day) == pytest.approx(1.0, abs=0.01)
    night = datetime(2026, 11, 29, 3, 0, tzinfo=UTC) - timedelta(hours=8)  # 03:00 in Zhenjiang
    morning = datetime(2026, 11, 29, 8, 0, tzinfo=UTC) - timedelta(hours=8)
    counts = {}
    for name, start in (("night", night), ("morning", morning)):
        events = sim(demo_dir, start=start, rate=1.0).events_until(start.timestamp() + 3600)
        counts[name] = Counter(e["type"] for _, e in events if e["type"] in ("wim", "plate_capture"))
    assert counts["night"]["plate_capture"] < counts["morning"]["plate_capture"] / 5
    assert counts["night"]["wim"] < counts["morning"]["wim"] / 2
    # About `rate` road events a second at the curve's value (08:00–09:00: above the mean).
    total = sum(counts["morning"].values())
    assert 3600 < total < 3600 * 2.2


def test_trucks_from_the_registry_and_the_overloaded_share(demo_dir: Path) -> None:
    registry = {(v["plate"], v["plate_color"]): v for v in rows(demo_dir / "vehicles.csv")}
    events = [e for _, e in sim(demo_dir, rate=4.0, overload_share=0.3).events_until(T0 + 3600) if e["type"] == "wim"]
    assert len(events) > 1000
    over = oversize = known = 0
    for e in events:
        limit = overload_limit_kg(e["axles"], e["combination"])
        if Decimal(e["gross_kg"]) * 100 > limit * 105:  # beyond any device's tolerance (≤ 5 %)
            over += 1
            assert e["gross_kg"] > limit * 1.05
        assert sum(e["axle_kg"]) == e["gross_kg"] and len(e["axle_kg"]) == e["axles"]
        oversize += e["height_m"] > 4
        v = registry.get((e["plate"], e["plate_color"]))
        if v is not None:
            known += 1
            if v["vehicle_type"] == "tractor":  # weighed with its semi-trailer
                assert e["combination"] and e["axles"] > int(v["axles"])
            else:
                assert e["axles"] == int(v["axles"])
        else:
            assert e["plate_color"] == "yellow"  # out-of-town trucks
    assert known / len(events) > 0.6
    assert 0.3 * 0.88 - 0.05 < over / len(events) < 0.3 * 0.88 + 0.05
    assert 0 < oversize < len(events) * 0.04
    none = [e for _, e in sim(demo_dir, rate=4.0, overload_share=0.0).events_until(T0 + 600) if e["type"] == "wim"]
    assert not [e for e in none if e["gross_kg"] > overload_limit_kg(e["axles"], e["combination"])]


def test_unlicensed_cars_circle_zhenjiang_station(demo_dir: Path) -> None:
    s = sim(demo_dir, rate=1.0)
    events = s.events_until(T0 + 600)
    station = next((lon, lat) for _, name, _, lon, lat in FIXED_SITES if name == "镇江站")
    devices = {d.code: d for d in s.devices}
    near = {
        code
        for code, d in devices.items()
        if geography.to_utm(Point(d.lon, d.lat)).distance(geography.to_utm(Point(*station))) <= 300
    }
    assert len(near) >= 3
    licensed = {(v["plate"], v["plate_color"]) for v in rows(demo_dir / "vehicles.csv") if v["cert_status"] == "valid"}
    assert len(s.circling) == 3
    for plate, colour, _ in s.circling:
        assert (plate, colour) not in licensed
        seen = [e for code, e in events if e.get("plate") == plate and code in near]
        assert len(seen) >= 5, plate  # ≥ 5 hub captures: an illegal-operation lead within 10 minutes


def _fixes(events: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    fixes, statics = [], []
    for _, e in events:
        if e["type"] != "ais":
            continue
        messages, stats = decode_lines(e["nmea"], received_at=datetime.fromisoformat(e["time"]))
        assert stats.as_dict().get("bad_checksum", 0) == 0
        for m in messages:
            if (f := position_fix(m)) is not None:
                fixes.append(f)
            if (st := static_data(m)) is not None:
                statics.append(st)
    return fixes, statics


def test_ais_tracks_along_the_yangtze(demo_dir: Path) -> None:
    s = sim(demo_dir, rate=0.0)
    events = s.events_until(T0 + 900)
    fixes, statics = _fixes(events)
    registry = {v["mmsi"]: v for v in rows(demo_dir / "vessels.csv")}
    by_vessel: dict[str, list[Any]] = defaultdict(list)
    for f in fixes:
        by_vessel[f.mmsi].append(f)
    assert len(by_vessel) == 20 and set(by_vessel) <= set(registry)
    channel = geography.yangtze_channel()
    for mmsi, track in by_vessel.items():
        times = [f.time.timestamp() for f in track]
        assert len(track) == 91 and all(b - a == 10 for a, b in itertools.pairwise(times)), mmsi
        assert all(channel.contains(Point(f.lon, f.lat)) for f in track), mmsi
        assert all(5.0 <= f.sog_kn <= 13.0 and f.nav_status == 0 for f in track)
        metres = geography.to_utm(LineString([(f.lon, f.lat) for f in track])).length
        assert 5.5 * 0.5144 * 890 < metres < 12.5 * 0.5144 * 890  # 6–12 kn along the channel
    # Static reports (message 5) every 6 minutes: a name for most vessels, the wrong one for one.
    names = {st.mmsi: st.name for st in statics}
    assert len(names) >= 15
    assert s.mismatch_mmsi in names and names[s.mismatch_mmsi] != registry[s.mismatch_mmsi]["name"]
    assert all(names[m] == registry[m]["name"] for m in names if m != s.mismatch_mmsi and registry[m]["name"].isascii())


def test_passages_link_to_ais_vessels_or_are_dark(demo_dir: Path) -> None:
    s = sim(demo_dir, rate=0.0, dark_share=0.1)
    assert sum(v.mmsi is None for v in s.fleet) == 0  # built at setup
    events = s.events_until(T0 + 3600)
    assert sum(v.mmsi is None for v in s.fleet) == 2  # 10 % of the passages: 2 dark vessels with 20 AIS ones
    fixes, _ = _fixes(events)
    # The server's own matching (zhifa.monitoring.passage) on the AIS the simulator sent.
    at_line = {
        d.code: crossings(fixes, LineString(d.crossing_line))
        for d in s.devices
        if d.kind == "checkpoint" and d.crossing_line
    }
    outcomes: dict[str, list[float]] = defaultdict(list)
    for code, e in events:
        if e["type"] != "ship_passage":
            continue
        assert e["direction"] in ("up", "down")
        decision = decide_passage(datetime.fromisoformat(e["time"]), at_line[code])
        outcomes[decision.outcome].append(t_of(e))
    assert len(outcomes["linked"]) >= 3 and len(outcomes["dark"]) >= 2, outcomes
    assert min(outcomes["dark"]) - T0 < 900  # the first dark passage comes within minutes


class FakeServer:
    """Answers POST /api/v1/events like the server (all accepted); optionally fails first."""

    def __init__(self, failures: int = 0, status: int = 200) -> None:
        self.failures, self.status = failures, status
        self.bodies: list[tuple[float, str, list[dict[str, Any]]]] = []
        self.calls = 0
        self.positions: list[tuple[str, str, dict[str, Any]]] = []  # (officer, bearer token, body)

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        if url == "http://sim.invalid/api/v1/auth/login":  # the officers' phones log in
            return 200, {"token": "token-" + json.loads(body)["username"]}
        if url.startswith("http://sim.invalid/api/v1/officers/"):
            self.positions.append((url.split("/")[-2], headers["Authorization"], json.loads(body)))
            return 201, {}
        self.calls += 1
        assert url == "http://sim.invalid/api/v1/events" and headers["X-Device-Key"].startswith("demo-")
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("server restarting")
        batch = json.loads(body)
        self.bodies.append((time.time(), headers["X-Device-Key"], batch))
        if self.status != 200:
            return self.status, {"detail": "no"}
        return 200, {"accepted": len(batch), "duplicate": 0, "rejected": []}


def test_speed_up_replays_the_recent_past_and_never_runs_ahead(demo_dir: Path) -> None:
    server = FakeServer()
    s = Simulator(
        "http://sim.invalid", demo_dir / "devices.csv", rate=1.0, speedup=100.0, transport=server, log=io.StringIO()
    )
    wall0 = time.time()
    counts = s.run(duration=3.0, wait_for_server=False)
    assert s.start is not None and s.start == pytest.approx(wall0 - 99 * 3.0, abs=1.0)  # backfill: 297 s
    times = []
    for posted_at, _, batch in server.bodies:
        for e in batch:
            times.append(t_of(e))
            assert t_of(e) <= posted_at  # never in the future
    assert max(times) > time.time() - 30  # caught up with the present
    assert min(times) < wall0 - 250
    assert counts.accepted == len(times) == sum(counts.generated.values())
    assert counts.rejected == counts.refused == counts.retries == 0
    # The demo's two patrol officers' phones, as themselves, at once and then every 15 s (wall):
    # one round in 3 s, unless a loaded machine stretched a tick past 15 s.
    assert counts.positions == len(server.positions) and counts.positions_failed == 0
    assert sorted({code for code, _, _ in server.positions}) == sorted(o.code for o in s.officers)
    assert len(server.positions) >= 2 and len(server.positions) % 2 == 0  # both phones each round
    for code, token, body in server.positions:
        at = datetime.fromisoformat(body["at"]).timestamp()
        assert token == f"Bearer token-{code}" and at <= time.time()
        assert (body["lon"], body["lat"]) == s.position_of(next(o for o in s.officers if o.code == code), at)


def test_a_failed_post_is_re_sent(demo_dir: Path) -> None:
    server = FakeServer(failures=2)
    log = io.StringIO()
    s = Simulator(
        "http://sim.invalid", demo_dir / "devices.csv", rate=5.0, start=START, transport=server, log=log, speedup=1.0
    )
    s.setup(T0)
    s._send(s.events_until(T0 + 30))  # the first device's batch fails twice, then goes through
    assert server.calls == len(server.bodies) + 2
    s._report(T0 + 30)
    assert s.counts.retries == 2
    assert s.counts.accepted == sum(len(b) for _, _, b in server.bodies) == sum(s.counts.generated.values())
    assert "re-sending" in log.getvalue()


def test_positions_are_optional_and_a_failure_is_counted(demo_dir: Path) -> None:
    server = FakeServer()
    quiet = Simulator(
        "http://sim.invalid", demo_dir / "devices.csv", officers=(), rate=0.0, transport=server, log=io.StringIO()
    )
    quiet.run(duration=0.5, wait_for_server=False)
    assert server.positions == [] and quiet.counts.positions == quiet.counts.positions_failed == 0

    def down(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        raise ConnectionRefusedError("server restarting")

    s = Simulator("http://sim.invalid", demo_dir / "devices.csv", start=START, transport=down, log=io.StringIO())
    s.report_positions(T0)  # no exception: each phone's failure counted, nothing re-sent
    s._report(T0)
    assert (s.counts.positions, s.counts.positions_failed) == (0, 2)


def test_a_refused_batch_is_counted_not_retried(demo_dir: Path) -> None:
    server = FakeServer(status=401)
    s = Simulator("http://sim.invalid", demo_dir / "devices.csv", start=START, transport=server, log=io.StringIO())
    s.setup(T0)
    events = s.events_until(T0 + 30)
    s._send(events)
    s._report(T0 + 30)
    assert s.counts.refused == len(events) and s.counts.accepted == 0 and s.counts.retries == 0
