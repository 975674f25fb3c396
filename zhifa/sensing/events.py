"""Parsing and validating sensor events (pure). Each line of a batch is checked on its own and
either becomes a ``ParsedEvent`` or a rejection with its reason; good lines never wait for bad.

The schema is documented in ``docs/sensing.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.core import jsontext
from zhifa.geo.crs import CoordinateError, to_wgs84
from zhifa.validation import IdentifierError, is_no_plate_marker, parse_mmsi, parse_plate, parse_plate_color

#: Events stamped further ahead than this are refused (a clock gone wrong, not a real event).
MAX_FUTURE = timedelta(minutes=5)
MAX_IMAGE_BYTES = 10 * 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


#: Which device kinds may send each event type.
SENDERS = {
    "wim": ("wim",),
    "plate_capture": ("camera", "wim"),
    "ship_passage": ("checkpoint",),
    "ais": ("ais_receiver", "checkpoint"),
}


class EventRejected(ValueError):
    pass


@dataclass
class ParsedEvent:
    line: int
    device: str
    event_id: str
    type: str
    time: datetime
    payload: dict[str, Any]
    plate: str | None = None
    plate_color: str | None = None
    mmsi: str | None = None
    lon: float | None = None
    lat: float | None = None
    image_hashes: list[str] = field(default_factory=list)
    image_blobs: list[bytes] = field(default_factory=list)

    # Read as a stored event (``Event``) is, by the rules' prescreen at ingestion.
    @property
    def device_code(self) -> str:
        return self.device

    @property
    def event_time(self) -> datetime:
        return self.time


@dataclass
class Rejection:
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}


def split_body(body: bytes, content_type: str | None = None) -> list[tuple[int, Any]]:
    """A JSON array or NDJSON → ``(line number, object or Rejection)`` pairs, numbered from 1."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [(1, Rejection(1, "body is not UTF-8"))]
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = jsontext.loads(text)
        except json.JSONDecodeError as exc:
            return [(1, Rejection(1, f"malformed JSON array: {exc.msg} at line {exc.lineno} column {exc.colno}"))]
        if not isinstance(items, list):
            return [(1, Rejection(1, "expected a JSON array of events"))]
        return list(enumerate(items, start=1))
    return [(n, ndjson_line(n, line)) for n, line in ndjson_lines(text)]


def ndjson_lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of NDJSON text with their numbers (from 1, blank lines counted)."""
    # Only "\n" ends a line: str.splitlines() would also split on U+2028, U+0085 and others that
    # JSON allows unescaped inside strings (and then shift every later line number).
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line.strip():
            yield n, line


def ndjson_line(n: int, line: str) -> Any:
    """One NDJSON line (numbered ``n``): its value, or a ``Rejection`` if it is not JSON."""
    try:
        return jsontext.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(n, f"malformed JSON: {exc.msg} at column {exc.colno}")


def parse_time(value: Any, now: datetime) -> datetime:
    if type(value) is not str or not value.strip():
        raise EventRejected("time: missing (ISO 8601 with offset, e.g. 2026-11-29T08:00:00+08:00)")
    try:
        t = datetime.fromisoformat(value)  # the common, well-formed case (also takes a "Z")
    except ValueError:
        try:
            t = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise EventRejected(f"time: not ISO 8601: {value!r}") from None
    if t.tzinfo is None or t.utcoffset() is None:
        raise EventRejected(f"time: no UTC offset in {value!r} (add +08:00 or Z)")
    if t - now > MAX_FUTURE:
        raise EventRejected(f"time: {value} is more than 5 minutes in the future")
    return t


def _number(obj: dict[str, Any], key: str, *, required: bool = False, positive: bool = True) -> str | None:
    """The number at ``key`` as exact decimal text (what the payload stores), or None if absent."""
    v = obj.get(key)
    if v is None:
        if required:
            raise EventRejected(f"{key}: missing")
        return None
    t = type(v)
    if t is int:  # the common case: exact, and its text is the decimal's
        if positive and v <= 0:
            raise EventRejected(f"{key}: must be greater than 0, got {v}")
        return str(v)
    if t is float or t is str:
        try:
            d = Decimal(str(v))  # a float as it was written in the JSON (its shortest repr)
        except InvalidOperation:
            raise EventRejected(f"{key}: not a number: {v!r}") from None
    else:  # bool, list, object …
        raise EventRejected(f"{key}: not a number")
    if not d.is_finite():
        raise EventRejected(f"{key}: not a finite number")
    if positive and d <= 0:
        raise EventRejected(f"{key}: must be greater than 0, got {v}")
    return str(d)


def _bool(obj: dict[str, Any], key: str, default: bool = False) -> bool:
    v = obj.get(key, default)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise EventRejected(f"{key}: must be true or false")
    return v


def _plate(obj: dict[str, Any], ev: ParsedEvent, required: bool = True) -> None:
    raw = obj.get("plate")
    color = obj.get("plate_color")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise EventRejected("plate: missing")
        return
    if not isinstance(raw, str):
        raise EventRejected("plate: must be a string")
    if is_no_plate_marker(raw.strip()):
        # 无牌 / 未识别: accepted as unidentified; it still counts and may raise a lead for review.
        ev.payload["unidentified"] = raw.strip()
        return
    if color is not None and not isinstance(color, str):
        raise EventRejected("plate_color: must be a string")
    try:
        plate = parse_plate(raw, color or None)
    except IdentifierError as exc:
        raise EventRejected(f"{exc.field}: {exc.reason}") from None
    ev.plate = plate.number
    ev.plate_color = plate.color.value if plate.color else None
    ev.payload["plate"] = plate.number
    if ev.plate_color:
        ev.payload["plate_color"] = ev.plate_color


def _images(obj: dict[str, Any], ev: ParsedEvent) -> None:
    images = obj.get("images")
    if images is None:
        return
    if not isinstance(images, list):
        raise EventRejected("images: must be a list of base64 images or SHA-256 hashes")
    for i, item in enumerate(images):
        if not isinstance(item, str) or not item:
            raise EventRejected(f"images[{i}]: must be a string")
        low = item.strip().lower()
        if SHA256_RE.match(low):
            ev.image_hashes.append(low)
            continue
        data = item.split(",", 1)[1] if item.startswith("data:") and "," in item else item
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise EventRejected(f"images[{i}]: neither base64 nor a SHA-256 hash") from None
        if not blob:
            raise EventRejected(f"images[{i}]: empty image")
        if len(blob) > MAX_IMAGE_BYTES:
            raise EventRejected(f"images[{i}]: larger than 10 MiB")
        ev.image_blobs.append(blob)


def parse_event(
    line: int,
    obj: Any,
    devices: dict[str, tuple[str, str, float, float]],
    now: datetime,
    only_device: str | None = None,
) -> ParsedEvent:
    """Validate one event. ``devices`` maps code → (kind, crs, lon, lat) of the known devices;
    ``only_device`` is the device whose key sent the batch (its events may name no other)."""
    if not isinstance(obj, dict):
        raise EventRejected("an event must be a JSON object")
    event_id = obj.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 64:
        raise EventRejected("id: missing or longer than 64 characters")
    etype = obj.get("type")
    if etype not in ("plate_capture", "wim", "ship_passage", "ais"):
        raise EventRejected(f"type: unknown event type {etype!r} (plate_capture, wim, ship_passage, ais)")
    device = obj.get("device")
    if not isinstance(device, str) or not device:
        if only_device is None:
            raise EventRejected("device: missing")
        device = only_device
    if only_device is not None and device != only_device:
        raise EventRejected(f"device: {device} does not match the device key ({only_device})")
    if device not in devices:
        raise EventRejected(f"device: unknown device {device!r}")
    kind, crs, dlon, dlat = devices[device]
    if kind not in SENDERS[etype]:
        raise EventRejected(f"type: a {kind} device cannot send {etype} events")
    t = parse_time(obj.get("time"), now)
    ev = ParsedEvent(line, device, event_id.strip(), etype, t, {})
    if obj.get("lon") is not None or obj.get("lat") is not None:
        lon, lat = obj.get("lon"), obj.get("lat")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
            raise EventRejected("lon/lat: both must be numbers")
        try:
            ev.lon, ev.lat = to_wgs84(float(lon), float(lat), crs)  # type: ignore[arg-type]
        except CoordinateError as exc:
            raise EventRejected(f"lon/lat: {exc}") from None
    else:
        ev.lon, ev.lat = dlon, dlat
    _images(obj, ev)
    p = ev.payload
    if etype == "plate_capture":
        _plate(obj, ev)
        for key in ("vehicle_type", "direction"):
            if obj.get(key) is not None:
                if not isinstance(obj[key], str) or len(obj[key]) > 32:
                    raise EventRejected(f"{key}: must be a short string")
                p[key] = obj[key]
    elif etype == "wim":
        _plate(obj, ev)
        axles = obj.get("axles")
        if isinstance(axles, bool) or not isinstance(axles, int):
            raise EventRejected("axles: missing or not a whole number")
        if not 2 <= axles <= 12:
            raise EventRejected(f"axles: {axles} is impossible (2 to 12)")
        p["axles"] = axles
        p["gross_kg"] = _number(obj, "gross_kg", required=True)
        for key in ("speed_kmh", "length_m", "width_m", "height_m"):
            v = _number(obj, key)
            if v is not None:
                p[key] = v
        if obj.get("axle_kg") is not None:
            ak = obj["axle_kg"]
            if not isinstance(ak, list) or not all(
                isinstance(x, int | float) and not isinstance(x, bool) and x > 0 and math.isfinite(x) for x in ak
            ):
                raise EventRejected("axle_kg: must be a list of positive numbers")
            p["axle_kg"] = ak
        p["combination"] = _bool(obj, "combination")
        p["single_drive_axle"] = _bool(obj, "single_drive_axle")
    elif etype == "ship_passage":
        direction = obj.get("direction")
        if direction not in ("up", "down"):
            raise EventRejected("direction: must be 'up' or 'down'")
        p["direction"] = direction
        if obj.get("name_ocr") is not None:
            if not isinstance(obj["name_ocr"], str):
                raise EventRejected("name_ocr: must be a string")
            p["name_ocr"] = obj["name_ocr"][:64]
        if obj.get("mmsi") is not None:
            try:
                ev.mmsi = parse_mmsi(obj["mmsi"]).value
            except IdentifierError as exc:
                raise EventRejected(f"mmsi: {exc.reason}") from None
    elif etype == "ais":
        nmea = obj.get("nmea")
        if not isinstance(nmea, list) or not nmea or not all(isinstance(s, str) for s in nmea):
            raise EventRejected("nmea: must be a non-empty list of AIVDM/AIVDO sentences")
        p["nmea"] = nmea
    if obj.get("plate_color") is not None and etype not in ("plate_capture", "wim"):
        raise EventRejected("plate_color: only for plate_capture and wim events")
    if etype in ("plate_capture", "wim") and obj.get("plate_color") is not None and ev.plate is None:
        try:
            parse_plate_color(obj["plate_color"])
        except IdentifierError as exc:
            raise EventRejected(f"plate_color: {exc.reason}") from None
    return ev
