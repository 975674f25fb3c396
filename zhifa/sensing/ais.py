"""AIS ingestion: NMEA 0183 AIVDM/AIVDO sentences → decoded messages (pure, no I/O).

Receivers deliver what the air gave them: blank lines, comments, other NMEA sentences, empty
payloads (``!AIVDM,1,1,,B,,0*25``), corrupted checksums, multi-sentence messages with a part
missing, NMEA 4.10 tag blocks (``\\c:1428621738*5F\\!AIVDM,...``) and Gatehouse ``$PGHP``
timestamp wrappers. :class:`NmeaAssembler` turns such a line stream into :class:`AisMessage`
objects and counts everything it rejects in :class:`AisStats`; it never raises on input.

Decoding itself is pyais' (``NMEAMessage(...).decode()``, the layer under ``pyais.decode``).
The NMEA layer is checked here because pyais does not verify checksums unless asked to (and
then raises), takes a Gatehouse wrapper's time without checking *its* checksum, and silently
drops orphan fragments in its streams.

Field meanings and "not available" values follow ITU-R M.1371-5 (types 1-3 Table 45,
type 5 Table 52, type 18 Table 61, type 19 Table 62, type 24 Tables 76-78, type 27 Table 85).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import xor
from typing import Any

from pyais import NMEAMessage

from zhifa.core.clock import ensure_aware
from zhifa.validation import IdentifierError, parse_mmsi

__all__ = [
    "NON_SHIP_SENDERS",
    "POSITION_TYPES",
    "AisMessage",
    "AisStats",
    "Fix",
    "NmeaAssembler",
    "StaticData",
    "decode_lines",
    "is_position_type",
    "position_fix",
    "position_from_non_ship",
    "sender_kind",
    "static_data",
]

# Position reports: 1-3 class A, 18 class B, 19 extended class B, 27 long-range (ITU-R M.1371).
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
# Class A/B position reports: what a base station or an AtoN never sends (it has 4 and 21).
_CLASS_AB_POSITION_TYPES = frozenset({1, 2, 3, 18, 19})
NON_SHIP_SENDERS = frozenset({"base_station", "aton"})

# Sentence-level limits (IEC 61162-1): 1-9 sentences per message, 0-5 fill bits.
_MAX_FRAGMENTS = 9
# Multi-sentence slots are keyed by (sequential message id 0-9, channel): a real receiver has
# at most a few dozen. The cap only stops a garbage feed with random channel fields from growing
# the buffer without bound.
_MAX_PENDING = 64
# Six-bit payload armouring (ITU-R M.1371 Annex 8 / IEC 61162-1): '0'-'W' and '`'-'w'.
_PAYLOAD = re.compile(r"[0-W`-w]+")
_HEX = frozenset("0123456789ABCDEFabcdef")
# A tag block ``c:`` above this is in milliseconds, not seconds (some receivers do that);
# 1e12 s would be the year 33658.
_MS_THRESHOLD = 1_000_000_000_000


@dataclass(slots=True)
class AisStats:
    """What an :class:`NmeaAssembler` saw.

    ``lines`` every line fed; ``comments`` blank lines, ``#`` comments and text that is not NMEA
    at all; ``sentences`` AIVDM/AIVDO sentences (with or without a valid checksum); ``messages``
    decoded messages; ``bad_checksum`` NMEA lines (AIS sentences or ``$PGHP`` wrappers) whose
    checksum is missing or wrong; ``empty_payload`` AIS sentences without payload;
    ``malformed`` NMEA sentences that are not AIVDM/AIVDO, AIS sentences with broken fields, and
    assembled messages pyais cannot decode; ``orphan_fragments`` parts of multi-sentence messages
    that never completed. Valid ``$PGHP`` wrappers count only in ``lines``.
    """

    lines: int = 0
    sentences: int = 0
    messages: int = 0
    bad_checksum: int = 0
    empty_payload: int = 0
    malformed: int = 0
    orphan_fragments: int = 0
    comments: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AisMessage:
    """One decoded AIS message.

    ``mmsi`` is the 9-digit text (zero-padded: coast stations are 00MIDxxxx); ``received_at`` the
    receiver time (the caller's, else the Gatehouse wrapper's or the tag block's ``c:``, else
    ``None``); ``data`` pyais' decoded fields made JSON-safe; ``sentences`` the raw sentences,
    without tag blocks, in fragment order.
    """

    msg_type: int
    mmsi: str
    received_at: datetime | None
    data: dict[str, Any]
    sentences: tuple[str, ...]


@dataclass(slots=True)
class _Sentence:
    text: str
    channel: str
    seq_id: str
    count: int
    number: int
    at: datetime | None


@dataclass(slots=True)
class _Pending:
    count: int
    parts: list[_Sentence] = field(default_factory=list)


def _checksum_ok(body: str, given: str) -> bool:
    """NMEA 0183 checksum: XOR of every character between the delimiter and ``*``."""
    if not 1 <= len(given) <= 2 or not _HEX.issuperset(given):
        return False
    return reduce(xor, body.encode("ascii", "replace"), 0) == int(given, 16)


def _split_checked(sentence: str) -> tuple[str, bool] | None:
    """``(body, checksum ok)`` for ``!body*hh`` / ``$body*hh``; ``None`` if there is no ``*``."""
    star = sentence.rfind("*")
    if star < 0:
        return None
    body = sentence[1:star]
    return body, _checksum_ok(body, sentence[star + 1 :].strip())


def _tag_block_time(tag: str) -> datetime | None:
    """The ``c:`` receiver time of an NMEA 4.10 tag block (unix seconds, UTC). A tag block
    whose own checksum is present but wrong is not trusted."""
    body, star, given = tag.partition("*")
    if star and not _checksum_ok(body, given.strip()):
        return None
    for item in body.split(","):
        key, sep, value = item.partition(":")
        if sep and key == "c" and value.isdigit():
            number = int(value)
            seconds = number / 1000 if number >= _MS_THRESHOLD else number
            try:
                return datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _gatehouse_time(body: str) -> datetime | None:
    """``PGHP,1,<year>,<month>,<day>,<hour>,<minute>,<second>,<ms>,<country>,<region>,<pss>,
    <online>,<checksum of the next sentence>``: the UTC receiver time of the next sentence."""
    fields = body.split(",")
    if len(fields) < 9 or fields[1] != "1":
        return None
    try:
        year, month, day, hour, minute, second, ms = (int(x) for x in fields[2:9])
        return datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=UTC)
    except ValueError:
        return None


_PLAIN = frozenset({int, float, str, bool, type(None)})


def _json_safe_fields(fields: dict[str, Any]) -> dict[str, Any]:
    # Nearly every value is a plain number or string: check the exact type first (cheap).
    return {k: v if type(v) in _PLAIN else _json_safe(v) for k, v in fields.items()}


def _json_safe(value: Any) -> Any:
    """Enums → int (their value), bytes → hex, containers recursively."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        raw = value.value
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if isinstance(value, int | float):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)


class NmeaAssembler:
    """Stateful line-by-line NMEA reader; see the module docstring. One instance per receiver
    connection (multi-sentence buffers and a pending Gatehouse time belong to one stream)."""

    def __init__(self) -> None:
        self.stats = AisStats()
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._gatehouse_at: datetime | None = None

    def feed(self, line: str, received_at: datetime | None = None) -> list[AisMessage]:
        """Read one line; return the messages it completes (usually zero or one)."""
        if received_at is not None:
            ensure_aware(received_at)
        stats = self.stats
        stats.lines += 1
        if isinstance(line, bytes | bytearray):
            line = bytes(line).decode("ascii", "replace")
        elif not isinstance(line, str):
            stats.malformed += 1
            return []
        text = line.strip()
        if not text or text[0] == "#":
            stats.comments += 1
            return []

        tag_at: datetime | None = None
        if text[0] == "\\":
            end = text.find("\\", 1)
            if end < 0:
                stats.malformed += 1
                return []
            tag_at = _tag_block_time(text[1:end])
            text = text[end + 1 :].strip()
            if not text:
                stats.malformed += 1
                return []
        elif text[0] not in "!$":
            stats.comments += 1
            return []
        if text[0] not in "!$":
            stats.malformed += 1  # a tag block in front of something that is not NMEA
            return []

        comma = text.find(",")
        head = (text[1:comma] if comma > 0 else text[1:]).upper()
        if head == "PGHP":
            self._read_gatehouse(text)
            return []
        if len(head) != 5 or head[2:] not in ("VDM", "VDO"):
            stats.malformed += 1
            return []

        stats.sentences += 1
        wrapper_at, self._gatehouse_at = self._gatehouse_at, None
        at = received_at or wrapper_at or tag_at

        checked = _split_checked(text)
        if checked is None or not checked[1]:
            stats.bad_checksum += 1
            return []
        fields = checked[0].split(",")
        if len(fields) != 7:
            stats.malformed += 1
            return []
        _, count_s, number_s, seq_id, channel, payload, fill_s = fields
        if not payload:
            stats.empty_payload += 1
            return []
        if not (count_s.isdigit() and number_s.isdigit() and fill_s.isdigit() and _PAYLOAD.fullmatch(payload)):
            stats.malformed += 1
            return []
        count, number, fill = int(count_s), int(number_s), int(fill_s)
        if not (1 <= count <= _MAX_FRAGMENTS and 1 <= number <= count and fill <= 5):
            stats.malformed += 1
            return []

        sentence = _Sentence(text, channel, seq_id, count, number, at)
        if count == 1:
            return self._decode([sentence])
        return self._add_fragment(sentence)

    def flush(self) -> int:
        """Give up on every incomplete multi-sentence message; return how many fragments that
        dropped (they are added to ``stats.orphan_fragments``)."""
        dropped = sum(len(p.parts) for p in self._pending.values())
        self._pending.clear()
        self._gatehouse_at = None
        self.stats.orphan_fragments += dropped
        return dropped

    def _read_gatehouse(self, text: str) -> None:
        # A wrapper belongs to the very next AIS sentence; a new one (even a broken one)
        # replaces whatever was pending.
        self._gatehouse_at = None
        checked = _split_checked(text)
        if checked is None or not checked[1]:
            self.stats.bad_checksum += 1
            return
        at = _gatehouse_time(checked[0])
        if at is None:
            self.stats.malformed += 1
            return
        self._gatehouse_at = at

    def _add_fragment(self, sentence: _Sentence) -> list[AisMessage]:
        key = (sentence.seq_id, sentence.channel)
        pending = self._pending.get(key)
        if sentence.number == 1:
            if pending is not None:
                self.stats.orphan_fragments += len(pending.parts)
                del self._pending[key]
            elif len(self._pending) >= _MAX_PENDING:
                oldest = next(iter(self._pending))
                self.stats.orphan_fragments += len(self._pending.pop(oldest).parts)
            self._pending[key] = _Pending(sentence.count, [sentence])
            return []
        if pending is None or pending.count != sentence.count or len(pending.parts) + 1 != sentence.number:
            # A part without its predecessors (lone, out of order, duplicate): it cannot complete.
            self.stats.orphan_fragments += 1
            return []
        pending.parts.append(sentence)
        if sentence.number < sentence.count:
            return []
        del self._pending[key]
        return self._decode(pending.parts)

    def _decode(self, parts: list[_Sentence]) -> list[AisMessage]:
        texts = tuple(p.text for p in parts)
        try:
            if len(texts) == 1:
                sentence = NMEAMessage(texts[0].encode("ascii"))
            else:
                sentence = NMEAMessage.assemble_from_iterable([NMEAMessage(t.encode("ascii")) for t in texts])
            decoded: dict[str, Any] = sentence.decode().asdict(enum_as_int=True)
            msg_type = int(decoded["msg_type"])
            mmsi_value = int(decoded["mmsi"])
        except Exception:  # pyais raises many kinds on truncated or unknown payloads
            self.stats.malformed += 1
            return []
        if not 0 <= mmsi_value <= 999_999_999:
            self.stats.malformed += 1
            return []
        at = next((p.at for p in parts if p.at is not None), None)
        self.stats.messages += 1
        return [AisMessage(msg_type, f"{mmsi_value:09d}", at, _json_safe_fields(decoded), texts)]


def decode_lines(lines: Iterable[str], received_at: datetime | None = None) -> tuple[list[AisMessage], AisStats]:
    """Decode a batch (e.g. one ``POST /api/v1/ais/nmea`` body split into lines); incomplete
    multi-sentence messages at the end count as orphans."""
    assembler = NmeaAssembler()
    messages: list[AisMessage] = []
    for line in lines:
        messages.extend(assembler.feed(line, received_at))
    assembler.flush()
    return messages, assembler.stats


# --- reading decoded messages -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fix:
    """A position report reduced to what tracking needs. ``sog_kn`` / ``cog`` are ``None`` when
    not available; ``nav_status`` is the class A navigational status (0 under way using engine,
    8 under way sailing, 15 undefined), ``None`` for class B, which has none."""

    mmsi: str
    time: datetime | None
    lon: float
    lat: float
    sog_kn: float | None = None
    cog: float | None = None
    nav_status: int | None = None


def is_position_type(msg_type: int) -> bool:
    return msg_type in POSITION_TYPES


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def position_fix(msg: AisMessage) -> Fix | None:
    """The fix of a position report (types 1, 2, 3, 18, 19, 27), or ``None`` if the message is
    not one or its position is "not available" (lon 181 / lat 91) or out of range."""
    if msg.msg_type not in POSITION_TYPES:
        return None
    data = msg.data
    lon, lat = _number(data.get("lon")), _number(data.get("lat"))
    if lon is None or lat is None or not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return None
    sog = _number(data.get("speed"))
    if msg.msg_type == 27:
        # Type 27: 6-bit speed in whole knots, 63 = not available; course 9 bits, 511 = n/a.
        if sog is not None and sog >= 63:
            sog = None
    elif sog is not None and sog >= 102.25:
        # 1023 (102.3 kn) = not available; 1022 means "102.2 kn or more" and is kept.
        sog = None
    cog = _number(data.get("course"))
    if cog is not None and not 0.0 <= cog < 360.0:
        cog = None  # 3600 (360°) = not available; 511 for type 27
    nav_status: int | None = None
    if msg.msg_type in (1, 2, 3, 27):
        status = data.get("status")
        if isinstance(status, int) and not isinstance(status, bool):
            nav_status = status
    return Fix(msg.mmsi, msg.received_at, lon, lat, sog, cog, nav_status)


@dataclass(frozen=True, slots=True)
class StaticData:
    """Voyage/static data: from type 5 all fields; from type 24 part A only ``name``, from part
    B ``ship_type`` and ``callsign``. Absent or "not available" values are ``None`` (empty text,
    IMO 0, ship type 0)."""

    mmsi: str
    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None
    imo: int | None = None
    destination: str | None = None
    time: datetime | None = None


def _text(value: Any) -> str | None:
    # Six-bit text is padded with '@' (code 0); some transmitters pad with spaces instead.
    if not isinstance(value, str):
        return None
    cleaned = value.split("@", 1)[0].strip()
    return " ".join(cleaned.split()) or None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value or None


def static_data(msg: AisMessage) -> StaticData | None:
    """Static data of a type 5 or type 24 message; ``None`` for other types."""
    data = msg.data
    if msg.msg_type == 5:
        return StaticData(
            msg.mmsi,
            name=_text(data.get("shipname")),
            callsign=_text(data.get("callsign")),
            ship_type=_positive_int(data.get("ship_type")),
            imo=_positive_int(data.get("imo")),
            destination=_text(data.get("destination")),
            time=msg.received_at,
        )
    if msg.msg_type == 24:
        part = data.get("partno")
        if part == 0:
            return StaticData(msg.mmsi, name=_text(data.get("shipname")), time=msg.received_at)
        if part == 1:
            return StaticData(
                msg.mmsi,
                callsign=_text(data.get("callsign")),
                ship_type=_positive_int(data.get("ship_type")),
                time=msg.received_at,
            )
    return None


_KINDS = {
    "ship": "ship",
    "coast_station": "base_station",
    "aton": "aton",
    "sar_aircraft": "sar_aircraft",
}


def sender_kind(mmsi: str | int) -> str:
    """``ship`` (MIDxxxxxx), ``base_station`` (00MIDxxxx), ``aton`` (99MIDxxxx),
    ``sar_aircraft`` (111MIDxxx) or ``other`` (groups, SART/MOB/EPIRB, invalid, ...),
    per ITU-R M.585 (see :mod:`zhifa.validation.mmsi`)."""
    try:
        return _KINDS.get(parse_mmsi(mmsi).kind, "other")
    except IdentifierError:
        return "other"


def position_from_non_ship(msg: AisMessage) -> bool:
    """True when a base-station or AtoN identity sends a class A/B position report (types 1,
    2, 3, 18, 19): a misconfigured or spoofed transponder, reported as ``ais_mismatch``."""
    return msg.msg_type in _CLASS_AB_POSITION_TYPES and sender_kind(msg.mmsi) in NON_SHIP_SENDERS
