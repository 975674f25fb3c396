"""ASGI entry for multi-process serving: ``uvicorn zhifa.asgi:app``."""

from zhifa.app import create_app, warm_history
from zhifa.core.runtime import settle_heap

app = create_app()

warm_history()
settle_heap()
