"""ASGI entry for multi-process serving: ``uvicorn zhifa.asgi:app``."""

from zhifa.app import create_app

app = create_app()
