"""The web UI: Jinja2 page shells, vanilla JS that talks to the JSON API, vendored Leaflet/ECharts.

``pages.router`` is included by ``zhifa.app``; static files under ``static/`` are served at
``/static``. Every UI string goes through the catalogue in ``i18n.py``. See ``docs/web.md``.
"""
