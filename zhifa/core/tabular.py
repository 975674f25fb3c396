"""Reading tabular import files: CSV in UTF-8 (with or without BOM) or GBK, as Chinese Excel
saves them, and XLSX. Rows come back as dicts with lower-cased, stripped header names and the
1-based data-row number (header = row 1, so the first data row is row 2, as Excel shows it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhifa.core.errors import BadRequest


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first; GB18030 (a superset of GBK) when the bytes are not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadRequest("file is neither UTF-8 nor GBK text", "文件编码无法识别（应为 UTF-8 或 GBK）") from exc


def read_table(path: Path, data: bytes | None = None) -> tuple[list[str], list[Row]]:
    raw = path.read_bytes() if data is None else data
    if path.suffix.lower() in (".xlsx", ".xlsm") or raw[:2] == b"PK":
        return _read_xlsx(raw)
    return _read_csv(decode_text(raw))


def _clean_header(cells: list[str]) -> list[str]:
    return [str(c or "").strip().lower() for c in cells]


def _read_csv(text: str) -> tuple[list[str], list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _clean_header(next(reader))
    except StopIteration:
        raise BadRequest("file is empty", "文件为空") from None
    rows: list[Row] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}
        rows.append(Row(number, values))
    return header, rows


def _read_xlsx(raw: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise BadRequest(f"not a readable XLSX file: {exc}", "XLSX 文件无法读取") from exc
    ws = wb.worksheets[0]
    it: Iterator[tuple[object, ...]] = ws.iter_rows(values_only=True)
    try:
        header = _clean_header([str(c) if c is not None else "" for c in next(it)])
    except StopIteration:
        raise BadRequest("file is empty", "文件为空") from None
    rows: list[Row] = []
    for number, cells in enumerate(it, start=2):
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        values = {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(header) if h}
        rows.append(Row(number, values))
    wb.close()
    return header, rows


def _cell_text(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def require_columns(header: list[str], required: list[str]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise BadRequest(
            f"missing column(s): {', '.join(missing)}",
            f"缺少列：{'、'.join(missing)}",
        )


TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否", "f", ""})


def parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def split_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]
