"""Every legal setting, route and CLI command is documented; the articles the code cites are in
the docs too."""

from __future__ import annotations

from pathlib import Path

from zhifa.legal.api import router
from zhifa.legal.cli import legal_app, penalty_app
from zhifa.legal.settings import LegalSettings

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "legal-time.md").read_text("utf-8")


def test_every_legal_setting_is_documented() -> None:
    config = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    for name in LegalSettings.model_fields:
        assert f"ZHIFA_{name.upper()}" in config and f"ZHIFA_{name.upper()}" in DOC, name


def test_every_route_and_command_is_documented() -> None:
    for route in router.routes:
        path = getattr(route, "path", "")
        assert path and path in DOC, f"{path} is not in docs/legal-time.md"
    for group, app in (("legal", legal_app), ("penalty", penalty_app)):
        for command in app.registered_commands:
            assert f"zhifa {group} {command.name}" in DOC, f"zhifa {group} {command.name} is not documented"


def test_the_articles_cited_in_code_are_in_the_docs() -> None:
    for article in (
        "行政处罚法 第八十五条",
        "行政强制法 第六十九条",
        "民事诉讼法 第八十五条",
        "行政处罚法 第七十二条",
        "第七十三条第三款",
        "第四十三条",
        "公路安全保护条例 第六十四条",
    ):
        assert article in DOC, article
