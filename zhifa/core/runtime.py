"""Process start-up for long-running processes (the server, the workers)."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """After start-up, move every object alive so far — modules, the app, the routing map —
    out of the cyclic garbage collector's sight (``gc.freeze``). They live as long as the process;
    scanning them again at every full collection is what made the collector cost a fifth of
    ingestion's CPU time (docs/performance.md). Objects made later are collected as usual, and
    frozen ones are still freed by reference counting. Only for process entry points: a test
    that froze its objects would keep its cyclic garbage."""
    gc.collect()
    gc.freeze()
