"""PDF rendering of enforcement documents: ``zhifa.documents.pdf.render_pdf`` against the raw
limit of the same browser — Playwright printing the same HTML on one page kept open, nothing else.

Command: ``.venv/bin/python benchmarks/pdf_render.py --documents 40`` (Debian's Chromium at
``ZHIFA_CHROMIUM``, default ``/usr/bin/chromium``). Prints seconds per document, sequentially, for
both, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from zhifa.documents import pdf

#: A two-page document in the documents' fonts, like a 行政处罚决定书.
HTML = (
    "<!doctype html><meta charset='utf-8'><style>body{font-family:'AR PL UMing CN',serif;font-size:12pt}"
    "h1{font-family:'WenQuanYi Zen Hei',sans-serif;text-align:center}</style>"
    "<h1>镇江市交通运输综合行政执法支队 行政处罚决定书 第{n}号</h1>"
    + "<p>当事人所属货车经超限检测站复磅，车货总质量超过限定标准，违反《公路安全保护条例》第三十三条第一款。</p>" * 60
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=40)
    args = ap.parse_args()
    n = args.documents

    pdf.render_pdf(HTML.replace("{n}", "0"))  # the browser launched
    t = time.perf_counter()
    for i in range(n):
        pdf.render_pdf(HTML.replace("{n}", str(i)))
    ours = (time.perf_counter() - t) / n
    pdf.shutdown()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=pdf.chromium_path())
        page = browser.new_page()
        page.set_content(HTML.replace("{n}", "0"))
        page.pdf(format="A4")
        t = time.perf_counter()
        for i in range(n):
            page.set_content(HTML.replace("{n}", str(i)), wait_until="load")
            page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        raw = (time.perf_counter() - t) / n
        browser.close()

    print(f"machine     {platform.node()} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.2f}")
    print(f"documents   {n}, one after another")
    print(f"render_pdf  {ours:.3f} s/document (pages kept, JavaScript off, network refused)")
    print(f"raw page    {raw:.3f} s/document (Playwright, one page, nothing else)")
    print(f"ratio       {raw / ours:.2f} (raw time / ours: 1.0 = no overhead)")


if __name__ == "__main__":
    main()
