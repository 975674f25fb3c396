"""AIS ingestion: real captures (pyais' test data) and round trips through ``pyais.encode_dict``."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais import encode_dict

from tests.helpers import find_ais_captures
from zhifa.sensing.ais import (
    AisMessage,
    AisStats,
    Fix,
    NmeaAssembler,
    StaticData,
    decode_lines,
    is_position_type,
    position_fix,
    position_from_non_ship,
    sender_kind,
    static_data,
)

AIS_DATA = find_ais_captures() or Path("/nonexistent/shared/data/ais")
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
CN_SHIP = 413123456
# Under CI the captures must be there: the tests then run and fail loudly if they are not.
needs_captures = pytest.mark.skipif(
    not AIS_DATA.is_dir() and os.environ.get("CI") != "true", reason="shared AIS captures not present"
)


def _lines(name: str) -> list[str]:
    return (AIS_DATA / name).read_text(encoding="utf-8").splitlines()


def _one(sentences: list[str], received_at: datetime | None = T0) -> AisMessage:
    messages, stats = decode_lines(sentences, received_at)
    assert stats.messages == 1, stats
    assert len(messages) == 1
    return messages[0]


def _with_checksum(body: str, delimiter: str = "!") -> str:
    value = 0
    for ch in body:
        value ^= ord(ch)
    return f"{delimiter}{body}*{value:02X}"


def _stats(**counts: int) -> dict[str, int]:
    return AisStats(**counts).as_dict()


# --- real captures ---------------------------------------------------------------------------


@needs_captures
@pytest.mark.parametrize("path", sorted(AIS_DATA.iterdir()) if AIS_DATA.is_dir() else [], ids=lambda p: p.name)
def test_every_capture_file_decodes_without_exception(path: Path) -> None:
    messages, stats = decode_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())
    assert stats.lines == len(path.read_text(encoding="utf-8", errors="replace").splitlines())
    assert stats.messages == len(messages)
    for msg in messages:
        assert len(msg.mmsi) == 9 and msg.mmsi.isdigit()
        assert msg.sentences and all(s[0] in "!$" for s in msg.sentences)
        json.dumps(msg.data)  # JSON-safe: no enums, no bytes


@needs_captures
def test_mixed_capture_counts() -> None:
    # mixed.txt, by inspection (35 lines):
    #   14 comments: 7 blank lines, 5 '#' lines, 'foobar', 'IamNotAnAisMessage1111'
    #    4 malformed: $GPGGA, $GPRTE, $GPR00, $IIMWV (NMEA, but not AIS)
    #   15 AIS sentences: 8 single ones, two 2-part type 5 (one !AIVDM, one !SAVDM with tag
    #      blocks), 1 with no '*checksum' at all (line 23, tag-blocked) -> 12 messages
    #    2 bad checksums: that line 23, and the last $PGHP (its year was edited to 2009)
    #    1 valid $PGHP wrapper (line 29) counted in `lines` only
    messages, stats = decode_lines(_lines("mixed.txt"))
    assert stats.as_dict() == _stats(lines=35, sentences=15, messages=12, bad_checksum=2, malformed=4, comments=14)
    assert Counter(m.msg_type for m in messages) == {1: 10, 5: 2}
    type5 = [m for m in messages if m.msg_type == 5]
    assert [len(m.sentences) for m in type5] == [2, 2]
    assert type5[1].sentences[0].startswith("!SAVDM,2,1,2,B,")  # tag block stripped
    # The SAVDM message's tag block has c:1428621738 and a valid checksum.
    assert type5[1].received_at == datetime(2015, 4, 9, 23, 22, 18, tzinfo=UTC)
    # Line 26/27 tag blocks carry a wrong checksum ('*A'): their time is not trusted, the
    # sentences are fine.
    assert [m.received_at for m in messages[8:10]] == [None, None]
    # The $PGHP wrapper on line 29 times the sentence on line 30 (Gatehouse times are UTC).
    by_sentence = {m.sentences[0]: m for m in messages}
    wrapped = by_sentence["!AIVDM,1,1,,B,15NBj>PP1gG>1PVKTDTUJOv00<0M,0*09"]
    assert wrapped.received_at == datetime(2008, 5, 9, 0, 0, 0, 10_000, tzinfo=UTC)
    assert wrapped.mmsi == "367309370"


@needs_captures
def test_gatehouse_capture_counts() -> None:
    # gatehouse.nmea, by inspection (11 lines): 4 AIS sentences, 3 blank/comment lines, 4 $PGHP
    # wrappers; the one on line 7 has a wrong checksum (year 2009 with the 2008 line's '*17').
    messages, stats = decode_lines(_lines("gatehouse.nmea"))
    assert stats.as_dict() == _stats(lines=11, sentences=4, messages=4, bad_checksum=1, comments=3)
    assert [m.mmsi for m in messages] == ["367309370", "413355820", "445451000", "412764890"]
    assert [m.received_at for m in messages] == [
        datetime(2008, 5, 9, 0, 0, 0, 10_000, tzinfo=UTC),  # line 1 wraps line 2
        None,  # line 6: no wrapper before it
        None,  # line 8: its wrapper (line 7) failed the checksum, so its 2009 date is not used
        None,
    ]


@needs_captures
def test_caller_time_wins_over_gatehouse_time() -> None:
    messages, _ = decode_lines(_lines("gatehouse.nmea"), received_at=T0)
    assert {m.received_at for m in messages} == {T0}


@needs_captures
def test_sample_capture_invariants() -> None:
    lines = _lines("nmea_data_sample.txt")
    messages, stats = decode_lines(lines)
    assert stats.lines == len(lines) == 898  # `wc -l` says 897: the last line has no newline
    assert stats.comments == 0 and stats.sentences == stats.lines  # every line is an AIVDM
    assert stats.messages == len(messages) > 700
    # Every sentence ends up somewhere exactly once (there are no multi-part messages that
    # complete in this capture: its 20 part-1 fragments all lack their part 2).
    assert (
        stats.messages + stats.bad_checksum + stats.empty_payload + stats.malformed + stats.orphan_fragments
        == stats.sentences
    )
    assert stats.empty_payload == 100  # grep -c ',,0\*2[56]'
    assert stats.orphan_fragments == 20  # grep -c ',2,1,'
    assert stats.bad_checksum == 0 and stats.malformed == 0
    types = Counter(m.msg_type for m in messages)
    assert types[1] > 600 and types[18] > 0 and types[24] == 2
    fixes = [f for m in messages if (f := position_fix(m)) is not None]
    assert len(fixes) > 700
    assert all(-180 <= f.lon <= 180 and -90 <= f.lat <= 90 for f in fixes)


@needs_captures
def test_sample_decoding_speed() -> None:
    lines = _lines("nmea_data_sample.txt")
    decode_lines(lines)  # warm-up: pyais builds its decoder plans on first use
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        messages, _ = decode_lines(lines)
        best = min(best, time.perf_counter() - started)
    # No timed assertion (CI machines vary): the figure is printed for `pytest -s`.
    print(f"\nAIS: {len(lines)} lines in {best * 1000:.1f} ms, {len(messages) / best:,.0f} messages/s")


# --- round trips through pyais.encode_dict --------------------------------------------------


def test_type1_round_trip() -> None:
    sentences = encode_dict(
        {"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21, "speed": 8.5, "course": 87.5, "status": 0},
        sentence_type="VDM",
        radio_channel="B",
    )
    msg = _one(sentences)
    assert (msg.msg_type, msg.mmsi, msg.received_at, msg.sentences) == (1, "413123456", T0, tuple(sentences))
    assert msg.data["msg_type"] == 1 and msg.data["mmsi"] == CN_SHIP
    json.dumps(msg.data)
    assert position_fix(msg) == Fix("413123456", T0, 119.45, 32.21, 8.5, 87.5, 0)
    assert static_data(msg) is None
    assert not position_from_non_ship(msg)


def test_type5_over_two_sentences_round_trip() -> None:
    sentences = encode_dict(
        {
            "type": 5,
            "mmsi": CN_SHIP,
            "shipname": "SU ZHEN HUO 1234",
            "ship_type": 70,
            "callsign": "BXYZ9",
            "imo": 9123456,
            "destination": "ZHENJIANG",
        }
    )
    assert len(sentences) == 2  # !AIVDO,2,1,0,A,... and !AIVDO,2,2,0,A,...
    assembler = NmeaAssembler()
    assert assembler.feed(sentences[0], T0) == []
    [msg] = assembler.feed(sentences[1], T0 + timedelta(seconds=1))
    assert msg.received_at == T0  # the time of the first part
    assert msg.sentences == tuple(sentences)
    assert static_data(msg) == StaticData("413123456", "SU ZHEN HUO 1234", "BXYZ9", 70, 9123456, "ZHENJIANG", time=T0)
    assert position_fix(msg) is None
    assert assembler.flush() == 0
    assert assembler.stats.as_dict() == _stats(lines=2, sentences=2, messages=1)


def test_type18_round_trip() -> None:
    sentences = encode_dict({"type": 18, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21, "speed": 5.2, "course": 180.0})
    assert position_fix(_one(sentences)) == Fix("413123456", T0, 119.45, 32.21, 5.2, 180.0, None)


def test_type19_round_trip() -> None:
    sentences = encode_dict(
        {"type": 19, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21, "speed": 3.0, "shipname": "SU ZHEN 8"}
    )
    msg = _one(sentences)
    assert msg.data["shipname"] == "SU ZHEN 8"
    fix = position_fix(msg)
    assert fix is not None and (fix.lon, fix.lat, fix.sog_kn, fix.nav_status) == (119.45, 32.21, 3.0, None)


def test_type24_parts_round_trip() -> None:
    part_a = _one(encode_dict({"type": 24, "mmsi": CN_SHIP, "partno": 0, "shipname": "SU ZHEN HUO 1234"}))
    part_b = _one(encode_dict({"type": 24, "mmsi": CN_SHIP, "partno": 1, "ship_type": 79, "callsign": "BXYZ9"}))
    assert static_data(part_a) == StaticData("413123456", name="SU ZHEN HUO 1234", time=T0)
    assert static_data(part_b) == StaticData("413123456", callsign="BXYZ9", ship_type=79, time=T0)
    assert position_fix(part_a) is None


def test_type27_round_trip() -> None:
    sentences = encode_dict(
        {"type": 27, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21, "speed": 9, "course": 45, "status": 0}
    )
    # Type 27 positions are 1/10 minute: 119.45° and 32.21° are exact multiples of 1/600°.
    assert position_fix(_one(sentences)) == Fix("413123456", T0, 119.45, 32.21, 9.0, 45.0, 0)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # lon 181 / lat 91 = not available -> no fix
        ({"type": 1, "lon": 181, "lat": 91}, None),
        ({"type": 18, "lon": 181, "lat": 91}, None),
        ({"type": 27, "lon": 181, "lat": 91}, None),
        # speed 102.3 = n/a, course 360 = n/a; class B has no navigational status
        ({"type": 1, "lon": 119.45, "lat": 32.21, "speed": 102.3, "course": 360, "status": 8}, (None, None, 8)),
        ({"type": 3, "lon": 119.45, "lat": 32.21, "speed": 102.2, "course": 359.9, "status": 1}, (102.2, 359.9, 1)),
        ({"type": 18, "lon": 119.45, "lat": 32.21, "speed": 102.3, "course": 360}, (None, None, None)),
        # type 27: speed 63 = n/a, course 511 = n/a
        ({"type": 27, "lon": 119.45, "lat": 32.21, "speed": 63, "course": 511, "status": 5}, (None, None, 5)),
        ({"type": 2, "lon": -0.5, "lat": -0.25, "speed": 0, "course": 0, "status": 0}, (0.0, 0.0, 0)),
    ],
)
def test_position_not_available_values(fields: dict[str, Any], expected: tuple[Any, ...] | None) -> None:
    fix = position_fix(_one(encode_dict({"mmsi": CN_SHIP, **fields})))
    if expected is None:
        assert fix is None
    else:
        assert fix is not None and (fix.sog_kn, fix.cog, fix.nav_status) == expected


def test_position_out_of_range_is_no_fix() -> None:
    msg = _one(encode_dict({"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21}))
    bad = AisMessage(1, msg.mmsi, T0, {**msg.data, "lat": 95.0}, msg.sentences)
    assert position_fix(bad) is None


def test_static_data_strips_padding_and_unavailable_values() -> None:
    msg = AisMessage(
        5,
        "413123456",
        None,
        {"shipname": "SU ZHEN@@@@@", "callsign": "  ", "ship_type": 0, "imo": 0, "destination": "ZJ  PORT @@"},
        ("!AIVDM",),
    )
    assert static_data(msg) == StaticData("413123456", name="SU ZHEN", destination="ZJ PORT")


# --- the NMEA layer: rejected, counted, never raised ------------------------------------------


def test_corrupted_checksum_is_counted_not_raised() -> None:
    [good] = encode_dict({"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21})
    corrupted = good[:-2] + ("00" if good[-2:] != "00" else "01")
    flipped = good.replace("169w3P", "169w3Q")  # payload changed, checksum kept
    messages, stats = decode_lines([corrupted, flipped, good.rsplit("*", 1)[0], good])
    assert len(messages) == 1
    assert stats.as_dict() == _stats(lines=4, sentences=4, messages=1, bad_checksum=3)


def test_empty_payload_is_counted() -> None:
    messages, stats = decode_lines(["!AIVDM,1,1,,B,,0*25", "!AIVDM,1,1,,A,,0*26"])
    assert messages == []
    assert stats.as_dict() == _stats(lines=2, sentences=2, empty_payload=2)


def _type5(mmsi: int = CN_SHIP, **kwargs: Any) -> list[str]:
    return encode_dict({"type": 5, "mmsi": mmsi, "shipname": "SU ZHEN HUO 1234", "ship_type": 70}, **kwargs)


def test_lone_part_two_is_an_orphan() -> None:
    _, part2 = _type5()
    assembler = NmeaAssembler()
    assert assembler.feed(part2) == []
    assert assembler.stats.orphan_fragments == 1
    assert assembler.flush() == 0


def test_fragments_out_of_order_are_orphans() -> None:
    part1, part2 = _type5()
    messages, stats = decode_lines([part2, part1])
    assert messages == []
    assert stats.orphan_fragments == 2  # part 2 at once, part 1 when the batch ends


def test_new_part_one_discards_stale_incomplete_message() -> None:
    first, _ = _type5(413000001)
    part1, part2 = _type5(413000002)
    assembler = NmeaAssembler()
    assert assembler.feed(first) == []
    assert assembler.feed(part1) == []
    assert assembler.stats.orphan_fragments == 1
    [msg] = assembler.feed(part2)
    assert msg.mmsi == "413000002"


def test_interleaved_multi_part_messages_on_different_keys() -> None:
    a1, a2 = _type5(413000001, seq_id=1)
    b1, b2 = _type5(413000002, seq_id=2)
    c1, c2 = _type5(413000003, seq_id=1, radio_channel="B")
    messages, stats = decode_lines([a1, b1, c1, c2, b2, a2])
    assert [m.mmsi for m in messages] == ["413000003", "413000002", "413000001"]
    assert stats.orphan_fragments == 0


def test_flush_counts_incomplete_fragments() -> None:
    part1, _ = _type5()
    assembler = NmeaAssembler()
    assembler.feed(part1)
    assert assembler.flush() == 1
    assert assembler.stats.orphan_fragments == 1
    assert assembler.flush() == 0


def test_tag_block_time_and_precedence() -> None:
    [sentence] = encode_dict({"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21})
    tag = "s:zj-01,c:1764316800"
    line = f"\\{tag}{_checksum_suffix(tag)}\\{sentence}"
    at = datetime(2025, 11, 28, 8, 0, tzinfo=UTC)
    assert _one([line], None).received_at == at
    assert _one([line], T0).received_at == T0  # the caller's time wins
    millis = f"\\c:1764316800500\\{sentence}"  # no tag-block checksum, milliseconds
    assert _one([millis], None).received_at == at + timedelta(milliseconds=500)
    assert _one([line], None).sentences == (sentence,)


def _checksum_suffix(body: str) -> str:
    value = 0
    for ch in body:
        value ^= ord(ch)
    return f"*{value:02X}"


def test_received_at_keeps_its_zone_and_refuses_naive() -> None:
    [sentence] = encode_dict({"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21})
    shanghai = datetime(2026, 11, 28, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    assert _one([sentence], shanghai).received_at == shanghai
    with pytest.raises(ValueError, match="naive"):
        NmeaAssembler().feed(sentence, datetime(2026, 11, 28, 8, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("line", "counter"),
    [
        ("", "comments"),
        ("   \r\n", "comments"),
        ("# comment", "comments"),
        ("foobar", "comments"),
        ("IamNotAnAisMessage1111", "comments"),
        ("$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D", "malformed"),
        ("\\c:1764316800*00", "malformed"),  # tag block never closed
        ("\\c:1764316800\\", "malformed"),  # tag block with nothing after it
        ("\\c:1764316800\\hello", "malformed"),
        ("!", "malformed"),
        ("!AIVDM", "bad_checksum"),
        ("!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0", "bad_checksum"),
        ("!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*ZZ", "bad_checksum"),
        (_with_checksum("AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip"), "malformed"),  # 6 fields
        (_with_checksum("AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0,extra"), "malformed"),
        (_with_checksum("AIVDM,x,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"), "malformed"),
        (_with_checksum("AIVDM,1,2,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"), "malformed"),  # part 2 of 1
        (_with_checksum("AIVDM,10,1,1,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"), "malformed"),
        (_with_checksum("AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,6"), "malformed"),  # fill > 5
        (_with_checksum("AIVDM,1,1,,A,13HOI:0P0000 OHLCnHQKwvL05Ip,0"), "malformed"),  # bad armour
        (_with_checksum("AIVDM,1,1,,A,1,0"), "malformed"),  # truncated: pyais cannot decode it
        (_with_checksum("AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0").replace("3H", "\u4e2d"), "bad_checksum"),
        (_with_checksum("PGHP,1,2026,13,40,0,0,0,0,412,1,,1,00", "$"), "malformed"),  # no such date
        (_with_checksum("PGHP,1,2026,11,28", "$"), "malformed"),
        ("$PGHP,1,2009,5,9,0,0,0,10,338,2,,1,09*17", "bad_checksum"),
    ],
)
def test_garbage_lines_are_counted(line: str, counter: str) -> None:
    assembler = NmeaAssembler()
    assert assembler.feed(line) == []
    counts = assembler.stats.as_dict()
    assert counts[counter] == 1
    assert counts["messages"] == 0
    assert counts["lines"] == 1


def test_gatehouse_wrapper_applies_to_next_sentence_only() -> None:
    [s1] = encode_dict({"type": 1, "mmsi": 413000001, "lon": 119.45, "lat": 32.21})
    [s2] = encode_dict({"type": 1, "mmsi": 413000002, "lon": 119.45, "lat": 32.21})
    wrapper = _with_checksum("PGHP,1,2026,11,28,8,0,5,250,412,0,,1,00", "$")
    messages, stats = decode_lines([wrapper, "# a comment in between", s1, s2])
    assert [m.received_at for m in messages] == [datetime(2026, 11, 28, 8, 0, 5, 250_000, tzinfo=UTC), None]
    assert stats.as_dict() == _stats(lines=4, sentences=2, messages=2, comments=1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("!$\\*,#@AIVDMO01259ABPGH:c \t")), max_size=60), max_size=8))
def test_assembler_never_raises_on_garbage(lines: list[str]) -> None:
    messages, stats = decode_lines(lines)
    assert stats.lines == len(lines)
    assert stats.messages == len(messages)


def test_bytes_input_is_tolerated() -> None:
    [sentence] = encode_dict({"type": 1, "mmsi": CN_SHIP, "lon": 119.45, "lat": 32.21})
    assembler = NmeaAssembler()
    assert len(assembler.feed(sentence.encode("ascii") + b"\r\n", T0)) == 1  # type: ignore[arg-type]
    assert assembler.feed(b"\xff\xfe garbage") == []  # type: ignore[arg-type]
    assert assembler.feed(None) == []  # type: ignore[arg-type]


# --- senders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mmsi", "kind"),
    [
        ("413123456", "ship"),
        ("235009802", "ship"),
        ("004131234", "base_station"),
        ("994131234", "aton"),
        ("111413123", "sar_aircraft"),
        ("041312345", "other"),  # group call
        ("970011234", "other"),  # AIS-SART
        ("000786434", "other"),  # not a valid pattern (seen in mixed.txt)
        ("12345", "other"),
        (413123456, "ship"),
    ],
)
def test_sender_kind(mmsi: str | int, kind: str) -> None:
    assert sender_kind(mmsi) == kind


@pytest.mark.parametrize(
    ("msg_type", "mmsi", "expected"),
    [
        (1, 4131234, True),  # 004131234: base station sending a class A position
        (18, 994131234, True),  # AtoN sending a class B position
        (19, 4131234, True),
        (27, 994131234, False),  # long-range report: not a class A/B position
        (1, CN_SHIP, False),
        (1, 111413123, False),  # SAR aircraft: not a base station or AtoN
    ],
)
def test_position_from_non_ship(msg_type: int, mmsi: int, expected: bool) -> None:
    msg = _one(encode_dict({"type": msg_type, "mmsi": mmsi, "lon": 119.45, "lat": 32.21}))
    assert msg.mmsi == f"{mmsi:09d}"
    assert position_from_non_ship(msg) is expected


def test_base_station_report_is_not_a_mismatch() -> None:
    msg = _one(encode_dict({"type": 4, "mmsi": 4131234, "lon": 119.45, "lat": 32.21}))
    assert msg.mmsi == "004131234" and sender_kind(msg.mmsi) == "base_station"
    assert not position_from_non_ship(msg)
    assert position_fix(msg) is None


@pytest.mark.parametrize(("msg_type", "expected"), [(t, t in {1, 2, 3, 18, 19, 27}) for t in range(28)])
def test_is_position_type(msg_type: int, expected: bool) -> None:
    assert is_position_type(msg_type) is expected
