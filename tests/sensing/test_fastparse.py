"""The quick parse path (``sensing.fastparse``, typed msgspec decoding) accepts exactly what the
reference path (``events.parse_event``) accepts, with equal results, and leaves every rejection to
the reference path's message. Checked on a corpus of valid events and of one-field mutations of
them — alone, in JSON arrays with a good event, and as NDJSON lines — with no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zhifa.sensing import fastparse
from zhifa.sensing import service as sensing

DEVICES = {
    "WIM1": ("wim", "wgs84", 119.35, 32.2002),
    "CAM1": ("camera", "wgs84", 119.40, 32.15),
    "CAMG": ("camera", "gcj02", 119.40, 32.15),
    "CP1": ("checkpoint", "wgs84", 119.40, 32.25),
}
SHA = "ab" * 32
NOW = datetime.now(UTC)
T = (NOW - timedelta(hours=1)).astimezone().isoformat()


def wim(**kw: Any) -> dict[str, Any]:
    base = {
        "id": "w1",
        "type": "wim",
        "device": "WIM1",
        "time": T,
        "plate": "苏L12345",
        "plate_color": "yellow",
        "axles": 3,
        "gross_kg": 30000,
        "speed_kmh": 62.5,
    }
    return {k: v for k, v in (base | kw).items() if v is not ...}


def capture(**kw: Any) -> dict[str, Any]:
    base = {"id": "c1", "type": "plate_capture", "device": "CAM1", "time": T, "plate": "苏L12345"}
    return {k: v for k, v in (base | kw).items() if v is not ...}


# One field changed at a time (``...`` removes it): valid shapes the quick path takes, valid
# shapes it leaves to the reference path, and every kind of wrong value.
WIM_VARIANTS: list[dict[str, Any]] = [
    {},
    {"id": 17},
    {"id": " w1 "},
    {"id": ""},
    {"id": "x" * 65},
    {"id": True},
    {"id": None},
    {"device": ...},
    {"device": ""},
    {"device": "CAM1"},
    {"device": "NOPE"},
    {"device": 5},
    {"type": "weigh"},
    {"type": "ais", "nmea": ["!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"]},
    {"time": "2026-06-01T10:00:00Z"},
    {"time": "2026-06-01T10:00:00z"},
    {"time": "2026-06-01 10:00:00+08:00"},
    {"time": "2026-06-01T10:00:00"},
    {"time": (NOW + timedelta(hours=1)).isoformat()},
    {"time": "yesterday"},
    {"time": 1764400000},
    {"time": ...},
    {"lon": 119.36, "lat": 32.21},
    {"lon": 119, "lat": 32},
    {"lon": 119.36},
    {"lon": True, "lat": 32.2},
    {"lon": "119.3", "lat": "32.2"},
    {"lon": 400.0, "lat": 32.2},
    {"images": [SHA]},
    {"images": [SHA.upper(), " " + SHA + " "]},
    {"images": []},
    {"images": ["aGVsbG8="]},
    {"images": [""]},
    {"images": ["not base64 !"]},
    {"images": SHA},
    {"images": [5]},
    {"plate": "苏l12345"},
    {"plate": "苏L·12345"},
    {"plate": "苏LD12345", "plate_color": "green"},
    {"plate": "无牌"},
    {"plate": "未识别", "plate_color": "yellow"},
    {"plate": ""},
    {"plate": "  "},
    {"plate": "ABC"},
    {"plate": "苏LI2345"},
    {"plate": 12345},
    {"plate": ...},
    {"plate_color": "黄"},
    {"plate_color": "YELLOW"},
    {"plate_color": "purple"},
    {"plate_color": "green"},
    {"plate_color": ""},
    {"plate_color": 3},
    {"plate_color": None},
    {"axles": 2},
    {"axles": 12},
    {"axles": 1},
    {"axles": 13},
    {"axles": "3"},
    {"axles": 3.0},
    {"axles": True},
    {"axles": ...},
    {"gross_kg": 30000.5},
    {"gross_kg": 1e5},
    {"gross_kg": "30000"},
    {"gross_kg": "3e4"},
    {"gross_kg": "heavy"},
    {"gross_kg": 0},
    {"gross_kg": -1},
    {"gross_kg": 0.0},
    {"gross_kg": True},
    {"gross_kg": [1]},
    {"gross_kg": None},
    {"gross_kg": ...},
    {"gross_kg": 10**30},
    {"speed_kmh": 0},
    {"speed_kmh": 1e-7},
    {"speed_kmh": "fast"},
    {"speed_kmh": None},
    {"height_m": 4.2, "width_m": 2.6, "length_m": 18},
    {"height_m": 0},
    {"axle_kg": [7000, 11500.5, 11500]},
    {"axle_kg": [7000, 0]},
    {"axle_kg": [7000, "1"]},
    {"axle_kg": [True]},
    {"axle_kg": 7000},
    {"axle_kg": []},
    {"combination": True},
    {"combination": "yes"},
    {"combination": None},
    {"single_drive_axle": True, "axles": 6},
    {"single_drive_axle": 1},
    {"note": "an unknown field is ignored"},
    {"mmsi": "123"},
]
CAPTURE_VARIANTS: list[dict[str, Any]] = [
    {},
    {"plate_color": "blue", "vehicle_type": "小型轿车", "direction": "东向西"},
    {"vehicle_type": "x" * 32},
    {"vehicle_type": "x" * 33},
    {"direction": 5},
    {"direction": None},
    {"device": "CAMG", "lon": 119.41, "lat": 32.16},
    {"device": "WIM1"},
    {"device": "CP1"},
    {"plate": "无牌"},
    {"axles": "ignored on a capture"},
]
OTHERS: list[Any] = [
    {"id": "p1", "type": "ship_passage", "device": "CP1", "time": T, "direction": "up", "images": [SHA]},
    5,
    [wim()],
    "text",
    None,
]


def corpus() -> list[Any]:
    return [wim(**v) for v in WIM_VARIANTS] + [capture(**v) for v in CAPTURE_VARIANTS] + OTHERS


def both_paths(
    body: bytes, only_device: str | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[sensing.ParsedBatch, sensing.ParsedBatch]:
    monkeypatch.setattr(sensing, "QUICK_PARSE", True)
    quick = sensing.parse_batch(body, DEVICES, only_device)
    monkeypatch.setattr(sensing, "QUICK_PARSE", False)
    reference = sensing.parse_batch(body, DEVICES, only_device)
    return quick, reference


def same(quick: sensing.ParsedBatch, reference: sensing.ParsedBatch) -> None:
    assert quick.good == reference.good
    assert [(r.line, r.reason) for r in quick.rejected] == [(r.line, r.reason) for r in reference.rejected]
    assert quick.in_batch_dupes == reference.in_batch_dupes
    for a, b in zip(quick.good, reference.good, strict=True):  # dict order: the stored JSON text
        assert list(a.payload) == list(b.payload) and a.time.utcoffset() == b.time.utcoffset()


@pytest.mark.parametrize("item", corpus(), ids=lambda item: json.dumps(item, ensure_ascii=False).replace(T, "T")[:80])
@pytest.mark.parametrize("only_device", [None, "WIM1", "CAM1"])
def test_quick_path_equals_reference(item: Any, only_device: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    good = wim(id="g1") if only_device != "CAM1" else capture(id="g1")
    for body in (
        json.dumps([item], ensure_ascii=False),
        json.dumps([good, item, good], ensure_ascii=False),
        "\n".join(json.dumps(x, ensure_ascii=False) for x in (good, item, good)),
        "\n\n" + json.dumps(item, ensure_ascii=False) + "\r\n",
    ):
        same(*both_paths(body.encode(), only_device, monkeypatch))


def test_the_quick_path_takes_the_ordinary_stream() -> None:
    """The ordinary events do go the quick way (else the test above would prove nothing)."""
    events = [wim(id=f"w{i}", plate=f"苏L{i:05d}") for i in range(50)]
    events += [capture(id="c1", vehicle_type="轿车"), wim(images=[SHA]), wim(lon=119.3, lat=32.2)]
    quick = sensing._parse_quick(json.dumps(events).encode(), DEVICES, NOW, None)
    assert quick is not None and len(quick[0]) == 53 and quick[1] == []
    assert fastparse.decode_array(json.dumps([wim(axles=1)])) is None  # out of range: the reference path says why
    assert sensing._parse_quick(json.dumps([wim(gross_kg=0)]).encode(), DEVICES, NOW, None) is None


def test_a_large_mixed_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus item in one batch, numbered as sent, NDJSON and array alike."""
    items = corpus()
    for body in (json.dumps(items, ensure_ascii=False), "\n".join(json.dumps(x, ensure_ascii=False) for x in items)):
        quick, reference = both_paths(body.encode("utf-8-sig"), None, monkeypatch)
        same(quick, reference)
        assert quick.rejected and quick.good


def test_a_floats_text_is_the_decimal_paths() -> None:
    """``fastparse._decimal_text`` takes a float's shortest text as it is when it has no exponent;
    the text must be what ``Decimal(str(v))`` gives (the reference parser's): checked on edge
    values and on 100,000 random bit patterns and ordinary measurements."""
    import random
    import struct
    from decimal import Decimal

    from zhifa.sensing.fastparse import _decimal_text

    def reference(v: float) -> str | None:
        d = Decimal(str(v))
        return str(d) if d.is_finite() and d > 0 else None

    rng = random.Random(20261130)
    values = [62.5, 100.0, 0.1, 1e-4, 1e-5, 1e15, 1e16, 2.55, 4.0, 5e-324, 1.7976931348623157e308, -1.0, 0.0]
    values += [float("inf"), float("-inf"), float("nan")]
    for _ in range(100_000):
        values.append(struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
        values.append(round(rng.uniform(0, 100_000), rng.randint(0, 6)))
    assert [v for v in values if _decimal_text(v) != reference(v)] == []
