"""HTML to PDF through headless Chromium (Playwright): fonts embedded as subsets, text extractable.

One browser per process, launched on first use and kept. Playwright objects belong to the event
loop that made them, so the browser lives in a thread of its own running an asyncio loop; any
thread (a request's worker thread, a CLI command) hands it HTML and waits for the bytes
(:func:`render_pdf`). Up to :data:`PAGES` documents are rendered at once, each on a page of its
own browser context with JavaScript off and every network request refused: a template (edited
by administrators) cannot load a remote resource or run a script. A page is kept for the next
document (its content replaced whole): a fresh context and page cost about as much as the
rendering itself. A page whose render failed or timed out is closed, never reused.

The executable is ``ZHIFA_CHROMIUM`` (default ``/usr/bin/chromium``, the Debian package that
``scripts/setup.sh`` installs); without it rendering fails with :class:`RendererUnavailable`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from zhifa.core.errors import ZhifaError

DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Seconds one render may take before it is abandoned.
RENDER_TIMEOUT_S = 60.0
#: Pages kept, and documents rendered at once (more gain little on 2 cores).
PAGES = 2


class RendererUnavailable(ZhifaError):
    status = 503
    code = "renderer_unavailable"


def chromium_path() -> str:
    return os.environ.get("ZHIFA_CHROMIUM", DEFAULT_CHROMIUM)


class _Renderer:
    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pdf-renderer", daemon=True)
        self._thread.start()
        self._browser: Any = None
        self._playwright: Any = None
        self._launch_lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._idle: list[Any] = []

    async def _browser_ready(self) -> Any:
        if self._launch_lock is None:
            self._launch_lock = asyncio.Lock()
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._idle = []  # pages of a browser that went away
            self._browser = await self._playwright.chromium.launch(executable_path=self.executable)
            return self._browser

    async def _new_page(self) -> Any:
        browser = await self._browser_ready()
        context = await browser.new_context(java_script_enabled=False, offline=True)
        page = await context.new_page()
        await page.route("**/*", lambda route: route.abort())
        return page

    async def _render(self, html: str) -> bytes:
        if self._slots is None:
            self._slots = asyncio.Semaphore(PAGES)
        async with self._slots:
            page = None
            while self._idle and page is None:
                candidate = self._idle.pop()
                if not candidate.is_closed() and candidate.context.browser.is_connected():
                    page = candidate
            if page is None:
                page = await self._new_page()
            done = False
            try:
                await page.set_content(html, wait_until="load")
                pdf: bytes = await page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                done = True
                return pdf
            finally:
                if done:
                    self._idle.append(page)
                else:
                    with contextlib.suppress(Exception):
                        await page.context.close()

    def render(self, html: str, timeout: float) -> bytes:
        future = asyncio.run_coroutine_threadsafe(self._render(html), self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise RendererUnavailable(
                f"PDF rendering took more than {timeout:.0f} s", f"PDF 生成超时（{timeout:.0f} 秒）"
            ) from None

    async def _close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None

    def close(self) -> None:
        if self._loop.is_running():
            # Closing at exit: a browser that died is closed already.
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


_renderer: _Renderer | None = None
_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    global _renderer
    executable = chromium_path()
    if not Path(executable).is_file() or not os.access(executable, os.X_OK):
        raise RendererUnavailable(
            f"Chromium not found at {executable}: install the Debian package chromium (scripts/setup.sh) "
            "or set ZHIFA_CHROMIUM to its path",
            f"未找到 Chromium（{executable}）：请安装 chromium 或者设置 ZHIFA_CHROMIUM",
        )
    with _lock:
        if _renderer is None or _renderer.executable != executable:
            if _renderer is not None:
                _renderer.close()
            _renderer = _Renderer(executable)
        return _renderer


def render_pdf(html: str, timeout: float = RENDER_TIMEOUT_S) -> bytes:
    """The HTML printed to an A4 PDF (thread-safe; the browser is launched on first use)."""
    try:
        return _get_renderer().render(html, timeout)
    except ZhifaError:
        raise
    except Exception as exc:  # Playwright's errors: a browser that would not start or crashed
        raise RendererUnavailable(f"PDF rendering failed: {exc}", "PDF 生成失败") from exc


def shutdown() -> None:
    """Close the browser (at exit; tests may call it)."""
    global _renderer
    with _lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None


atexit.register(shutdown)
