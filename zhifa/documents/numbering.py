"""Allocation of document numbers: no gap and no duplicate, also under concurrency.

One counter row per (scheme, year). :func:`allocate` increments it with
``UPDATE documents_counter SET last_seq = last_seq + 1 … RETURNING last_seq`` inside the
caller's transaction:

* on PostgreSQL the UPDATE locks the row until the transaction ends, so a second issuer waits
  and then reads the incremented value — no duplicate;
* a transaction that rolls back undoes its increment, and the issuer that waited on it gets
  the number it gave back — no gap;
* on SQLite every writing transaction holds the database's write lock from its start
  (``BEGIN IMMEDIATE``, :mod:`zhifa.core.db`), which serialises issuers the same way.

A counter row is created on the year's first number by ``INSERT … ON CONFLICT DO NOTHING``, so
two first issuers of a year do not collide. The price of gap-free numbers is that issuers of
one scheme queue behind each other's transactions: issue the document last in a unit of work.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhifa.core.errors import NotFound
from zhifa.documents.models import DocumentCounter, DocumentScheme
from zhifa.documents.numbers import format_number

YEAR_MIN, YEAR_MAX = 2000, 2100


def allocate(session: Session, scheme_code: str, year: int) -> tuple[int, str]:
    """The next number of the scheme in the year: ``(seq, formatted)``, e.g.
    ``(1, "镇交执罚〔2026〕第0001号")``. Held by the caller's transaction until it commits."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year {year} is out of range")
    pattern = session.scalar(select(DocumentScheme.pattern).where(DocumentScheme.code == scheme_code))
    if pattern is None:
        raise NotFound(f"no numbering scheme {scheme_code!r}", f"没有编号规则 {scheme_code}", field="scheme")
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(DocumentCounter)
        .values(scheme_code=scheme_code, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["scheme_code", "year"])
    )
    seq = session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.scheme_code == scheme_code, DocumentCounter.year == year)
        .values(last_seq=DocumentCounter.last_seq + 1)
        .returning(DocumentCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return seq, format_number(pattern, year, seq)


def peek(session: Session, scheme_code: str, year: int) -> int:
    """The last number given in the scheme and year (0: none yet); for display only."""
    value = session.scalar(
        select(DocumentCounter.last_seq).where(DocumentCounter.scheme_code == scheme_code, DocumentCounter.year == year)
    )
    return value or 0
