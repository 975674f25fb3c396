"""Reading issued files back: a PDF with poppler (``pdftotext``, ``pdffonts``), a DOCX with
python-docx."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path


def squeeze(text: str) -> str:
    """Text without whitespace: a PDF wraps lines anywhere, a phrase must still be found."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()


def pdf_fonts(data: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """``pdffonts`` rows: type, emb(edded), uni(code map), and the whole line."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    header, rows = out[0], out[2:]
    kind, encoding, emb = header.index("type"), header.index("encoding"), header.index("emb")
    return [
        {
            "line": r,
            "type": r[kind:encoding].strip(),
            "emb": r[emb : emb + 3].strip(),
            "uni": r[emb + 8 : emb + 11].strip(),
        }
        for r in rows
    ]


def docx_text(data: bytes) -> tuple[str, set[str]]:
    """The DOCX's text (paragraphs and table cells) and the East-Asian fonts its runs name."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    fonts = {
        el.get(qn("w:eastAsia")) for el in doc.element.body.iter(qn("w:rFonts")) if el.get(qn("w:eastAsia")) is not None
    }
    return "\n".join(parts), fonts
