"""Template changes reach a database only by migration: 0010 puts the detailed records' templates in
force as a new version on a database whose 0009 seeded the earlier text, adds the 案件移送书 and
its numbering scheme, and gives back exactly that on downgrade."""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from zhifa.core.db import alembic_config

TEMPLATES = Path(__file__).resolve().parents[2] / "zhifa" / "documents" / "templates"
OLD = "{% extends '_layout.html' %}{% block body %}<p>{{ qa }}</p>{% endblock %}"


def _versions(url: str, kind: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT version, sha256 FROM documents_template WHERE kind = :k ORDER BY version"), {"k": kind}
        ).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def test_0010_adds_the_changed_templates_and_the_referral_letter(fresh_db_url: str) -> None:
    cfg = alembic_config(fresh_db_url)
    command.upgrade(cfg, "0009")
    # As on a database migrated before the records were detailed: the earlier inquiry template.
    engine = create_engine(fresh_db_url)
    with engine.begin() as c:
        c.execute(
            text("UPDATE documents_template SET source = :s, sha256 = :h WHERE kind = 'inquiry_record'"),
            {"s": OLD, "h": hashlib.sha256(OLD.encode()).hexdigest()},
        )
    engine.dispose()
    command.upgrade(cfg, "head")
    packaged = hashlib.sha256((TEMPLATES / "inquiry_record.html").read_bytes()).hexdigest()
    inquiry = _versions(fresh_db_url, "inquiry_record")
    assert inquiry == [(1, hashlib.sha256(OLD.encode()).hexdigest()), (2, packaged)]
    # Unchanged since 0009 seeded it: no second version.
    assert [v for v, _ in _versions(fresh_db_url, "site_record")] == [1]
    assert [v for v, _ in _versions(fresh_db_url, "penalty_decision")] == [1]
    assert [v for v, _ in _versions(fresh_db_url, "referral_letter")] == [1]
    engine = create_engine(fresh_db_url)
    with engine.connect() as c:
        pattern = c.execute(text("SELECT pattern FROM documents_scheme WHERE code = 'referral'")).scalar()
    engine.dispose()
    assert pattern == "镇交执移〔{year}〕第{seq:04d}号"

    command.downgrade(cfg, "0009")
    assert [v for v, _ in _versions(fresh_db_url, "inquiry_record")] == [1]
    assert _versions(fresh_db_url, "referral_letter") == []
    command.upgrade(cfg, "head")
    assert [v for v, _ in _versions(fresh_db_url, "inquiry_record")] == [1, 2]
