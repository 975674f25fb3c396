"""HTML to DOCX (python-docx): the same rendered template as the PDF, laid out as a Word document.

The conversion understands the small HTML vocabulary the templates use — headings, paragraphs
(classes ``agency``, ``number``, ``right``, ``sign``, ``indent``), tables, lists, line breaks and
bold — and keeps the text of anything else. So an administrator's template edit reaches the PDF
and the DOCX alike, from one source.

Every run carries an East-Asian font (``w:eastAsia``; 宋体 for the text and 黑体 for headings by
default, as Word in government offices has them; ``ZHIFA_DOCX_FONT`` and
``ZHIFA_DOCX_HEADING_FONT`` change them), and the page is A4 with the PDF's margins.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

LATIN_FONT = "Times New Roman"
SKIP = frozenset({"head", "style", "script", "title", "template"})
VOID = frozenset({"br", "meta", "hr", "img", "link", "input", "col", "wbr"})
BLOCK = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "li", "section", "header", "footer"}
    | {"article", "blockquote", "body", "html"}
)
BOLD = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "th"})
SIZES = {"h1": 22, "h2": 16, "h3": 12, "agency": 16}
_SPACE = re.compile(r"\s+")


def body_font() -> str:
    return os.environ.get("ZHIFA_DOCX_FONT", "宋体")


def heading_font() -> str:
    return os.environ.get("ZHIFA_DOCX_HEADING_FONT", "黑体")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _set_font(run: Any, east_asia: str, size: float | None = None, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.bold = True


def _segments(node: _Node, bold: bool, out: list[tuple[str, bool]]) -> None:
    """The inline content of a node as (text, bold) pieces; a line break is ``"\\n"``."""
    for child in node.children:
        if isinstance(child, str):
            out.append((_SPACE.sub(" ", child), bold))
        elif child.tag in SKIP:
            continue
        elif child.tag == "br":
            out.append(("\n", bold))
        else:
            _segments(child, bold or child.tag in BOLD, out)


def _fill(paragraph: Any, node: _Node, style: _Node) -> None:
    pieces: list[tuple[str, bool]] = []
    _segments(node, style.tag in BOLD or "agency" in style.classes, pieces)
    # Whitespace at the edges of a paragraph and around a line break is layout, not text.
    text = "".join(p for p, _ in pieces)
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" "))
    heading = style.tag in ("h1", "h2", "h3") or "agency" in style.classes
    size = SIZES.get(style.tag) or (SIZES["agency"] if "agency" in style.classes else None)
    pos = 0
    for piece, is_bold in pieces:
        start, end = pos, pos + len(piece)
        pos = end
        lo, hi = max(start, lead), min(end, len(text) - trail)
        if lo >= hi:
            continue
        chunk = piece[lo - start : hi - start]
        for i, line in enumerate(chunk.split("\n")):
            if i:
                paragraph.runs[-1].add_break() if paragraph.runs else paragraph.add_run().add_break()
            line = line.strip(" ") if "\n" in chunk else line
            if line:
                _set_font(paragraph.add_run(line), heading_font() if heading else body_font(), size, is_bold)


def _paragraph(container: Any, node: _Node) -> Any:
    p = container.add_paragraph()
    classes = node.classes
    if node.tag in ("h1", "h2") or "agency" in classes or "center" in classes:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif classes & {"right", "number", "sign"}:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if "indent" in classes:
        p.paragraph_format.first_line_indent = Pt(24)
    if "sign" in classes or "signature" in classes:
        p.paragraph_format.space_before = Pt(18)
    _fill(p, node, node)
    return p


def _has_blocks(node: _Node) -> bool:
    return any(isinstance(c, _Node) and (c.tag in BLOCK or _has_blocks(c)) for c in node.children)


def _rows(node: _Node) -> list[_Node]:
    rows: list[_Node] = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows += _rows(child)
    return rows


def _table(container: Any, node: _Node) -> None:
    rows = [[c for c in r.children if isinstance(c, _Node) and c.tag in ("td", "th")] for r in _rows(node)]
    rows = [r for r in rows if r]
    if not rows:
        return
    cols = max(len(r) for r in rows)
    table = container.add_table(rows=len(rows), cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, cells in enumerate(rows):
        for c, cell_node in enumerate(cells):
            cell = table.cell(r, c)
            if _has_blocks(cell_node):
                _blocks(cell, cell_node)
                first = cell.paragraphs[0]
                if not first.text and len(cell.paragraphs) > 1:
                    first._element.getparent().remove(first._element)
            else:
                _fill(cell.paragraphs[0], cell_node, cell_node)
        if len(cells) < cols:  # a short row: its last cell spans the rest
            table.cell(r, len(cells) - 1).merge(table.cell(r, cols - 1))


def _blocks(container: Any, node: _Node) -> None:
    inline: _Node | None = None

    def flush() -> None:
        nonlocal inline
        if inline is not None and "".join(p for p, _ in _collect(inline)).strip():
            _paragraph(container, inline)
        inline = None

    for child in node.children:
        if isinstance(child, _Node) and child.tag in SKIP:
            continue
        if isinstance(child, str) or (child.tag not in BLOCK and not _has_blocks(child)):
            if inline is None:
                inline = _Node("p", {"class": " ".join(node.classes)})
            inline.children.append(child)
            continue
        flush()
        if child.tag == "table":
            _table(container, child)
        elif child.tag in ("ul", "ol"):
            items = [c for c in child.children if isinstance(c, _Node) and c.tag == "li"]
            for i, li in enumerate(items, start=1):
                marker = f"{i}. " if child.tag == "ol" else "· "
                _paragraph(container, _Node("p", li.attrs, [marker, *li.children]))
        elif _has_blocks(child):
            _blocks(container, child)
        else:
            _paragraph(container, child)
    flush()


def _collect(node: _Node) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    _segments(node, False, out)
    return out


def html_to_docx(
    html: str, *, title: str, subject: str | None = None, author: str | None = None, created: datetime | None = None
) -> bytes:
    """The rendered template as a DOCX file (``created``: the time of issue, timezone-aware)."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(25), Mm(22)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_font())
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject or "", author or ""
    if created is not None:
        # python-docx writes the time as given with a "Z": hand it UTC.
        props.created = props.modified = created.astimezone(UTC)
    _blocks(doc, tree.root)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
