"""ASGI entry for multi-process serving: ``uvicorn zhifa.asgi:app``."""

from zhifa.app import create_app, warm_history

app = create_app()

warm_history()
