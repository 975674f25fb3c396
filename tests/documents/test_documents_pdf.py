"""The PDF renderer keeps its pages for the next document (``zhifa.documents.pdf``): each
document comes out whole and alone — nothing of the one before — and a page whose render failed
is closed, not reused."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import pytest

from tests.documents.readback import pdf_text, squeeze
from zhifa.documents import pdf


def _html(title: str, lines: int) -> str:
    body = "".join(f"<p>{title}第{i}行</p>" for i in range(lines))
    return f"<!doctype html><meta charset='utf-8'><h1>{title}</h1>{body}"


def test_a_kept_page_renders_each_document_alone(tmp_path: Path) -> None:
    long = pdf.render_pdf(_html("行政处罚决定书", 120))  # several pages
    short = pdf.render_pdf(_html("送达回证", 2))
    long_text, short_text = squeeze(pdf_text(long, tmp_path)), squeeze(pdf_text(short, tmp_path))
    assert "行政处罚决定书第119行" in long_text
    assert "送达回证第1行" in short_text and "行政处罚决定书" not in short_text
    assert pdf_text(short, tmp_path).count("\f") == 1 < pdf_text(long, tmp_path).count("\f")  # pages


def test_concurrent_documents_do_not_mix(tmp_path: Path) -> None:
    titles = [f"文书{n}号" for n in range(6)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        out = list(pool.map(lambda t: pdf.render_pdf(_html(t, 3)), titles))
    for title, data in zip(titles, out, strict=True):
        text = squeeze(pdf_text(data, tmp_path))
        assert f"{title}第2行" in text
        assert all(other not in text for other in titles if other != title)


def test_a_page_that_timed_out_is_not_reused(tmp_path: Path) -> None:
    pdf.render_pdf(_html("预热", 1))
    renderer = pdf._get_renderer()
    assert renderer._idle  # the page was kept
    taken = renderer._idle[-1]  # the next render takes it
    with pytest.raises(pdf.RendererUnavailable, match="took more than"):
        pdf.render_pdf(_html("超时", 4000), timeout=0.01)
    again = pdf.render_pdf(_html("再次生成", 1))
    assert "再次生成第0行" in squeeze(pdf_text(again, tmp_path))
    assert taken not in renderer._idle and len(renderer._idle) <= pdf.PAGES
    deadline = time.monotonic() + 10
    while not taken.is_closed() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert taken.is_closed()
