"""The message catalogue: every key the UI uses exists in both languages, and every entry is used."""

from __future__ import annotations

import re
from pathlib import Path

from zhifa.web import i18n

WEB = Path(i18n.__file__).parent
_STR = r'"((?:[^"\\]|\\.)*)"'


def _used_keys() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}

    def add(where: Path, keys: list[str]) -> None:
        for k in keys:
            used.setdefault(k, set()).add(where.name)

    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text("utf-8")
        add(path, re.findall(r"\b_\(\s*" + _STR, text))
        add(path, re.findall(r"\b_\(\s*'((?:[^'\\]|\\.)*)'", text))
    for path in (WEB / "static" / "js").glob("*.js"):
        add(path, re.findall(r"\b(?:t|N_)\(\s*" + _STR, path.read_text("utf-8")))
    for path in WEB.glob("*.py"):
        if path.name == "i18n.py":  # its docstring shows the calls
            continue
        add(path, re.findall(r"\bN_\(\s*" + _STR, path.read_text("utf-8")))
    return used


def test_every_key_used_is_in_the_catalogue() -> None:
    used = _used_keys()
    assert len(used) > 150  # the scan itself works
    missing = {k: sorted(v) for k, v in used.items() if k not in i18n.CATALOGUE}
    assert missing == {}


def test_every_catalogue_entry_is_used() -> None:
    unused = sorted(set(i18n.CATALOGUE) - set(_used_keys()))
    assert unused == []


def test_every_entry_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in i18n.CATALOGUE.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"].strip() and entry["en"].strip(), key
        placeholders = set(re.findall(r"\{(\w+)\}", key))
        for lang in ("zh", "en"):
            assert set(re.findall(r"\{(\w+)\}", entry[lang])) == placeholders, (key, lang)


def test_chinese_column_is_chinese() -> None:
    # Entries whose Chinese text is the same as the English are codes (MMSI), nothing else.
    same = sorted(k for k, e in i18n.CATALOGUE.items() if e["zh"] == e["en"])
    assert same == ["MMSI"]


def test_translate_fills_placeholders_and_shows_unknown_keys_as_is() -> None:
    assert i18n.translate("{count} records", "zh", count=3) == "共 3 条"
    assert i18n.translate("{count} records", "en", count=3) == "3 records"
    assert i18n.translate("no such key", "zh") == "no such key"
    assert i18n.messages_for("en")["Audit log"] == "Audit log"
    assert i18n.messages_for("zh")["Audit log"] == "审计日志"
