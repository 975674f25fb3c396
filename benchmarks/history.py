"""History benchmark: a plate's 90-day history over a large Parquet archive (goal: < 200 ms).

Builds (once, cached under ``var/bench-archive/<N>/``) a synthetic archive of N raw events
(default 50,000,000) over one year of date partitions, written with the product's own writer
(``zhifa.sensing.archive.write_parquet``: sorted by plate and time, small row groups with
statistics and Bloom filters): ~2 million distinct plates with a skewed activity (a few vehicles
pass cameras many times a day, most a few times a year), 400 devices with a daily rhythm,
plate captures, WIM records and vessel passages, a third of them with an image hash.

Then times ``archive.history()`` (empty SQLite hot store, audit row included) for plates
drawn by activity and uniformly:

* cold: a new DuckDB instance and the 90 day partitions' files dropped from the OS page cache
  (``posix_fadvise(DONTNEED)`` on those files only);
* new instance: a new DuckDB instance, the files in the OS page cache (a restarted server);
* warm: the same plates again (footers cached, pages in memory).

and, on the same files, the raw DuckDB figures: ``count(*)`` over the 90-day partitions (footers
only), and the bare ``SELECT … WHERE plate = ?`` that history() issues, to give the ratio.

Usage: ``.venv/bin/python benchmarks/history.py [--events N] [--plates 20] [--jobs 2] [--rebuild]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhifa.core.clock import SHANGHAI
from zhifa.sensing import archive

ROOT = Path(__file__).resolve().parents[1]
DAYS = 365
PLATES = 2_000_000
DEVICES = 400
#: "Now" of the benchmark: the archive holds the 365 days up to it (as if the hot store were empty).
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
FIRST_DAY = NOW.astimezone(SHANGHAI).date() - timedelta(days=DAYS - 1)
SEED = 20261128
PROVINCES = "苏" * 14 + "皖鲁浙沪豫鄂赣京冀"
ISSUERS = "LLLLLLABCDEFGHJKMN"
SERIAL = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
LAYOUT = 3  # bump when the layout of the generated data changes


# --------------------------------------------------------------------------- data


def plate_of(i: int) -> tuple[str, str]:
    """Plate i and its colour: distinct serials, mostly 苏L (Zhenjiang); 74 % blue, 20 % yellow,
    6 % small new-energy (green, D/F + 5 characters)."""
    h = (i * 2654435761) & 0xFFFFFFFF
    prefix = PROVINCES[h % len(PROVINCES)] + ISSUERS[(h >> 8) % len(ISSUERS)]
    u = (h >> 16) % 100
    if u < 6:
        return prefix + "DF"[i % 2] + SERIAL[(i // 2) % 34] + f"{(i // 68) % 10000:04d}", "green"
    serial = []
    n = i
    for _ in range(5):
        n, r = divmod(n, 34)
        serial.append(SERIAL[r])
    return prefix + "".join(serial), "blue" if u < 80 else "yellow"


def plate_table() -> tuple[pa.Array, pa.Array, np.ndarray]:
    """The plates, their colours and the cumulative activity distribution (skewed)."""
    rng = np.random.default_rng(SEED)
    pairs = [plate_of(i) for i in range(PLATES)]
    plates = pa.array([p for p, _ in pairs], pa.string())
    colors = pa.array([c for _, c in pairs], pa.string())
    # Activity: log-normal, so that the busiest 1 % (taxis, buses, lorries on fixed runs) make
    # about a fifth of the captures and half of all vehicles pass fewer than ten times a year.
    weights = rng.lognormal(0.0, 1.6, PLATES)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return plates, colors, cdf


def day_table(k: int, n: int, plates: pa.Array, colors: pa.Array, cdf: np.ndarray) -> pa.Table:
    rng = np.random.default_rng(SEED + 1 + k)
    day = FIRST_DAY + timedelta(days=k)
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC)
    idx = np.searchsorted(cdf, rng.random(n)).clip(0, PLATES - 1)
    kind = rng.random(n)
    is_ship = kind < 0.02
    is_wim = (kind >= 0.02) & (kind < 0.12)
    unread = (kind >= 0.12) & (kind < 0.14)  # 未识别: plate not read
    has_plate = ~(is_ship | unread)
    plate = pc.if_else(pa.array(has_plate), plates.take(pa.array(idx)), pa.scalar(None, pa.string()))
    color = pc.if_else(pa.array(has_plate), colors.take(pa.array(idx)), pa.scalar(None, pa.string()))
    null = pa.scalar(None, pa.string())
    mmsi = pc.if_else(pa.array(is_ship), pa.array((413_000_000 + (idx % 20_000)).astype(str)), null)
    # Daily rhythm: busy 7:00–20:00 Shanghai time, quiet at night.
    hours = rng.choice(24, size=n, p=_HOURLY)
    secs = hours * 3600 + rng.integers(0, 3600, n)
    micros = secs.astype(np.int64) * 1_000_000 + rng.integers(0, 1_000_000, n)
    t0 = int(start.timestamp() * 1_000_000)
    event_time = pa.array(t0 + micros, pa.timestamp("us", tz="UTC"))
    received = pa.array(t0 + micros + rng.integers(200_000, 5_000_000, n), pa.timestamp("us", tz="UTC"))
    processed = pa.array(t0 + micros + rng.integers(5_000_000, 60_000_000, n), pa.timestamp("us", tz="UTC"))
    dev = rng.zipf(1.3, n) % DEVICES
    device = pa.array(np.char.add("CAM", np.char.zfill(dev.astype(str), 4)))
    device = pc.if_else(
        pa.array(is_wim), pa.array(np.char.add("WIM", np.char.zfill((dev % 12).astype(str), 2))), device
    )
    device = pc.if_else(pa.array(is_ship), pa.array(np.char.add("CP", (dev % 6).astype(str))), device)
    etype = pa.array(np.where(is_ship, "ship_passage", np.where(is_wim, "wim", "plate_capture")))
    event_id = pa.array(np.char.add(f"{day:%Y%m%d}-", np.arange(n).astype(str)))
    lon = 119.0 + (dev * 0.0021) % 0.9 + rng.normal(0, 1e-4, n)
    lat = 31.8 + (dev * 0.0013) % 0.5 + rng.normal(0, 1e-4, n)
    gross = rng.integers(8_000, 60_000, n).astype(str)
    direction = np.where(rng.random(n) < 0.5, "up", "down")
    q = '"'
    payload = pc.if_else(
        pa.array(is_wim),
        pc.binary_join_element_wise(
            '{"plate":"',
            pc.fill_null(plate, ""),
            '","axles":',
            pa.array((idx % 5 + 2).astype(str)),
            ',"gross_kg":',
            pa.array(gross),
            "}",
            "",
        ),
        pc.if_else(
            pa.array(is_ship),
            pc.binary_join_element_wise(
                '{"mmsi":"', pc.fill_null(mmsi, ""), '","direction":"', pa.array(direction), '"}', ""
            ),
            pc.if_else(
                pa.array(unread),
                pa.scalar('{"unidentified":"未识别"}'),
                pc.binary_join_element_wise(
                    '{"plate":"',
                    pc.fill_null(plate, ""),
                    '","vehicle_type":"K33","direction":"',
                    pa.array(direction),
                    q + "}",
                    "",
                ),
            ),
        ),
    )
    with_image = rng.random(n) < 0.33
    raw = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    hexes = HEX[raw].view("S64").ravel().astype(str)
    images = pc.if_else(pa.array(with_image), pa.array(np.char.add(np.char.add('["', hexes), '"]')), null)
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64) + k * 10_000_000),
            "device_code": device,
            "event_id": event_id,
            "type": etype,
            "event_time": event_time,
            "received_at": received,
            "plate": plate,
            "plate_color": color,
            "mmsi": mmsi,
            "lon": pa.array(lon),
            "lat": pa.array(lat),
            "payload": payload,
            "images": images,
            "status": pa.array(["done"] * n),
            "attempts": pa.array(np.ones(n, np.int32)),
            "last_error": pa.nulls(n, pa.string()),
            "processed_at": processed,
            "raised_lead": pa.array(rng.random(n) < 0.005),
        }
    )


_HOURLY = np.array([1, 0.6, 0.4, 0.4, 0.6, 1.2, 3, 6, 8, 7, 6, 6, 5.5, 5.5, 6, 6.5, 7, 7.5, 6, 4.5, 3.5, 3, 2, 1.5])
_HOURLY = _HOURLY / _HOURLY.sum()

_shared: dict[str, Any] = {}


def _init_worker() -> None:
    _shared["plates"] = plate_table()


def _build_day(args: tuple[int, int, str]) -> tuple[int, int]:
    k, n, root = args
    plates, colors, cdf = _shared["plates"]
    table = day_table(k, n, plates, colors, cdf)
    archive.write_parquet(table, archive.partition_dir(Path(root), FIRST_DAY + timedelta(days=k)))
    return k, n


def day_sizes(total: int) -> list[int]:
    """Events per day: weekends ~15 % quieter, ±8 % noise, summing to ``total``."""
    rng = np.random.default_rng(SEED)
    w = np.array([(0.85 if (FIRST_DAY + timedelta(days=k)).weekday() >= 5 else 1.0) for k in range(DAYS)])
    w = w * rng.normal(1.0, 0.08, DAYS).clip(0.7, 1.3)
    sizes = np.floor(w / w.sum() * total).astype(int)
    sizes[: total - sizes.sum()] += 1
    return [int(x) for x in sizes]


def build(root: Path, total: int, jobs: int, rebuild: bool) -> dict[str, Any]:
    marker = root / "_complete.json"
    spec = {
        "events": total,
        "days": DAYS,
        "plates": PLATES,
        "layout": LAYOUT,
        "row_group_rows": archive.ROW_GROUP_ROWS,
    }
    if marker.exists() and not rebuild:
        info = json.loads(marker.read_text())
        if info.get("spec") == spec:
            print(f"reusing {root} (built in {info['build_s']:.0f} s)")
            return dict(info)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    sizes = day_sizes(total)
    t0 = time.perf_counter()
    done = 0
    with mp.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
        for _k, n in pool.imap_unordered(_build_day, [(k, sizes[k], str(root)) for k in range(DAYS)]):
            done += n
            if done // 1_000_000 != (done - n) // 1_000_000:
                el = time.perf_counter() - t0
                print(f"\r  {done:,} / {total:,} events, {el:.0f} s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    build_s = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in root.rglob("*.parquet"))
    info = {"spec": spec, "build_s": build_s, "bytes": size, "files": len(list(root.rglob("*.parquet")))}
    marker.write_text(json.dumps(info))
    return info


# --------------------------------------------------------------------------- timing


def pick_plates(count: int) -> list[tuple[str, str]]:
    """Half drawn by activity (the vehicles one tends to ask about), half uniformly."""
    plates, colors, cdf = plate_table()
    rng = np.random.default_rng(SEED + 999)
    by_activity = np.searchsorted(cdf, rng.random(count - count // 2)).clip(0, PLATES - 1)
    uniform = rng.integers(0, PLATES, count // 2)
    return [(plates[int(i)].as_py(), colors[int(i)].as_py()) for i in [*by_activity, *uniform]]


def evict(files: list[str]) -> None:
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def window_files(root: Path) -> tuple[list[str], date, date]:
    since = NOW - timedelta(days=90)
    first, last = archive.shanghai_date(since), archive.shanghai_date(NOW)
    files = [str(f) for _, d in archive.partitions(root, first, last) for f in archive.partition_files(d)]
    return files, first, last


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(0.95 * len(s)))]
    return f"p50 {statistics.median(s) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {s[-1] * 1000:.1f} ms"


def run(root: Path, n_plates: int, repeat: int) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from zhifa.core.audit import SYSTEM
    from zhifa.core.db import make_engine, upgrade

    tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-"))
    url = f"sqlite:///{tmp / 'hot.db'}"
    upgrade(url)
    engine = make_engine(url)
    files, first, last = window_files(root)
    plates = pick_plates(n_plates)
    out: dict[str, Any] = {"files_90d": len(files), "plates": len(plates)}
    cold: list[float] = []
    fresh: list[float] = []
    started: list[float] = []
    warm: list[float] = []
    counts: list[int] = []
    with Session(engine) as session:
        for plate, color in plates:
            archive.reset_duckdb()
            evict(files)
            t0 = time.perf_counter()
            rows = archive.history(session, SYSTEM, plate=plate, plate_color=color, root=root, now=NOW)
            cold.append(time.perf_counter() - t0)
            counts.append(len(rows))
            archive.reset_duckdb()
            t0 = time.perf_counter()
            archive.history(session, SYSTEM, plate=plate, plate_color=color, root=root, now=NOW)
            fresh.append(time.perf_counter() - t0)
            # A server start: a new instance, warm_up() in the background (here: before), then the
            # first query of the process.
            archive.reset_duckdb()
            archive.warm_up(root, now=NOW)
            t0 = time.perf_counter()
            archive.history(session, SYSTEM, plate=plate, plate_color=color, root=root, now=NOW)
            started.append(time.perf_counter() - t0)
        for _ in range(repeat):
            for plate, color in plates:
                t0 = time.perf_counter()
                archive.history(session, SYSTEM, plate=plate, plate_color=color, root=root, now=NOW)
                warm.append(time.perf_counter() - t0)
        session.rollback()
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    out |= {"cold": cold, "fresh": fresh, "started": started, "warm": warm, "rows": counts}

    # The raw engine on the same files: a fresh instance, then warm.
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET parquet_metadata_cache = true")
    q_count = "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)"
    q_plate_count = "SELECT count(*) FROM read_parquet(?, hive_partitioning = true) WHERE plate = ?"
    q_select = archive.archive_query("plate")  # the statement history() sends

    def timed(sql: str, params: list[Any]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        r = con.execute(sql, params).fetchall()
        return time.perf_counter() - t0, r

    evict(files)
    t_count_cold, total = timed(q_count, [files])
    t_count = min(timed(q_count, [files])[0] for _ in range(5))
    raw_select: list[float] = []
    raw_plate_count: list[float] = []
    for _ in range(repeat):
        for plate, _color in plates:
            raw_select.append(timed(q_select, [files, first, last, plate])[0])
            raw_plate_count.append(timed(q_plate_count, [files, plate])[0])
    # Full scan of one column for scale: what a query that cannot prune would cost.
    t_scan = min(
        timed("SELECT count(DISTINCT plate) FROM read_parquet(?, hive_partitioning = true)", [files])[0]
        for _ in range(2)
    )
    con.close()
    out |= {
        "events_90d": total[0][0],
        "raw_count_cold": t_count_cold,
        "raw_count": t_count,
        "raw_select": raw_select,
        "raw_plate_count": raw_plate_count,
        "raw_full_plate_scan": t_scan,
    }
    return out


def maintenance(root: Path, rows: int) -> dict[str, float]:
    """Time ``archive_events`` on one day of ``rows`` events in a fresh SQLite hot store, and
    ``apply_retention`` rewriting one copied partition of the benchmark archive."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from zhifa.core.audit import SYSTEM
    from zhifa.core.db import make_engine, upgrade
    from zhifa.sensing.models import Event

    tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-"))
    url = f"sqlite:///{tmp / 'hot.db'}"
    upgrade(url)
    engine = make_engine(url)
    plates, colors, cdf = plate_table()
    table = day_table(DAYS - 40, rows, plates, colors, cdf)
    records = table.drop_columns(["id"]).to_pylist()
    for r in records:
        r["payload"] = json.loads(r["payload"])
        r["images"] = json.loads(r["images"]) if r["images"] else None
    with Session(engine) as session:
        for i in range(0, len(records), 10_000):
            session.execute(insert(Event), records[i : i + 10_000])
        session.commit()
        t0 = time.perf_counter()
        done = archive.archive_events(session, SYSTEM, root=tmp / "archive", now=NOW)
        session.commit()
        t_archive = time.perf_counter() - t0
    assert done["archived"] == rows, done
    engine.dispose()
    # Retention: one partition of the big archive, copied, wholly past the period.
    day, src = archive.partitions(root)[0]
    part = tmp / "retention"
    shutil.copytree(src, archive.partition_dir(part, day))
    engine = make_engine(url)
    with Session(engine) as session:
        t0 = time.perf_counter()
        r = archive.apply_retention(session, SYSTEM, root=part, now=NOW + timedelta(days=366))
        session.commit()
        t_retention = time.perf_counter() - t0
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    return {"archive_s": t_archive, "retention_s": t_retention, "retention_dropped": r["archive_dropped"]}


def per_plate(r: dict[str, Any]) -> str:
    n = len(r["rows"])
    warm = [min(r["warm"][i::n]) for i in range(n)]
    return ", ".join(
        f"{rows}: {c * 1000:.0f}/{w * 1000:.0f}" for rows, c, w in zip(r["rows"], r["cold"], warm, strict=True)
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pyarrow {pa.__version__}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=50_000_000)
    ap.add_argument("--plates", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5, help="warm passes over the plates")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dir", type=Path, default=None, help="archive folder (default var/bench-archive/<N>)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--archive-rows", type=int, default=137_000, help="events of the archiving timing (0: skip)")
    args = ap.parse_args()
    root = args.dir or ROOT / "var" / "bench-archive" / str(args.events)
    print(machine())
    info = build(root, args.events, args.jobs, args.rebuild)
    print(
        f"archive: {args.events:,} events, {info['files']} files, {info['bytes'] / 2**30:.2f} GiB, "
        f"built in {info['build_s']:.0f} s"
    )
    load0 = os.getloadavg()[0]
    r = run(root, args.plates, args.repeat)
    load1 = os.getloadavg()[0]
    p50_warm = statistics.median(r["warm"])
    p50_raw = statistics.median(r["raw_select"])
    print(f"90-day window: {r['files_90d']} files, {r['events_90d']:,} events; {r['plates']} plates")
    print(f"rows per plate: min {min(r['rows'])}, median {statistics.median(r['rows']):.0f}, max {max(r['rows'])}")
    print(f"history() cold (new DuckDB, files evicted from page cache): {ms(r['cold'])}")
    print(f"history() new DuckDB instance, page cache warm:             {ms(r['fresh'])}")
    print(f"history() first query after warm_up() (a started server):   {ms(r['started'])}")
    print(f"history() warm:                                             {ms(r['warm'])}")
    print(f"raw DuckDB, same SELECT, warm:                              {ms(r['raw_select'])}")
    print(f"raw DuckDB, count(*) WHERE plate = ?, warm:                 {ms(r['raw_plate_count'])}")
    print(
        f"raw DuckDB, count(*) over the 90-day partitions: cold {r['raw_count_cold'] * 1000:.1f} ms, "
        f"warm {r['raw_count'] * 1000:.1f} ms"
    )
    full = r["raw_full_plate_scan"] * 1000
    print(f"raw DuckDB, count(DISTINCT plate) over the 90 days (full column scan): {full:.0f} ms")
    print(f"ratio history() / raw SELECT (p50, warm): {p50_warm / p50_raw:.2f}")
    print(f"per plate (rows: cold ms / warm ms): {per_plate(r)}")
    print(f"machine load average (1 min) before / after timing: {load0:.1f} / {load1:.1f}")
    if args.archive_rows:
        m = maintenance(root, args.archive_rows)
        print(
            f"archive_events, {args.archive_rows:,} events from SQLite: {m['archive_s']:.1f} s "
            f"({args.archive_rows / m['archive_s']:,.0f} events/s); apply_retention rewriting one "
            f"partition ({m['retention_dropped']:,} dropped): {m['retention_s']:.1f} s"
        )


if __name__ == "__main__":
    main()
