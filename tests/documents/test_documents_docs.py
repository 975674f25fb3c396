"""Every documents route, command, kind, scheme and setting is documented; so are the articles
the decision templates cite."""

from __future__ import annotations

from pathlib import Path

from zhifa.documents.api import router
from zhifa.documents.cli import documents_app
from zhifa.documents.kinds import KINDS
from zhifa.documents.numbers import DEFAULT_SCHEMES

DOC = (Path(__file__).parents[2] / "docs" / "documents.md").read_text("utf-8")


def test_every_route_and_command_is_documented() -> None:
    for route in router.routes:
        path = getattr(route, "path", "").replace(":int", "")
        for method in getattr(route, "methods", ()):
            assert f"`{method} {path}`" in DOC, f"{method} {path} is not in docs/documents.md"
    for command in documents_app.registered_commands:
        assert f"zhifa documents {command.name}" in DOC, command.name


def test_every_kind_scheme_and_setting_is_documented() -> None:
    for code, kind in KINDS.items():
        assert f"| `{code}` | {kind.title} |" in DOC, code
    for scheme in DEFAULT_SCHEMES:
        assert f"| `{scheme.code}` | `{scheme.pattern}` |" in DOC, scheme.code
    for setting in ("ZHIFA_CHROMIUM", "ZHIFA_DOCX_FONT", "ZHIFA_DOCX_HEADING_FONT", "ZHIFA_VAR_DIR"):
        assert setting in DOC, setting


def test_the_articles_cited_are_in_the_docs() -> None:
    for article in (
        "行政处罚法 第五十九条",
        "行政处罚法 第四十四条",
        "行政处罚法 第四十五条",
        "第六十七条第三款",
        "行政复议法 第二十条第一款",
        "行政诉讼法 第四十六条第一款",
        "行政处罚法 第七十二条",
        "行政处罚法 第四十二条",
    ):
        assert article.replace("\n  ", " ") in DOC.replace("\n  ", " ").replace("\n", " "), article
