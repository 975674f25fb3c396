"""A 50,000-vehicle file imports with bulk statements (time printed, not asserted)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor, AuditLog
from zhifa.registry import service
from zhifa.registry.models import Vehicle

N = 50_000
COLORS = ("blue", "yellow")
ISSUERS = "ABCDEFGHJKLMN"


def vehicle_lines(n: int) -> str:
    """``n`` distinct vehicles: 25,000 numbers, each once blue and once yellow."""
    lines = ["plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry"]
    for i in range(n):
        number = i // 2
        plate = f"苏{ISSUERS[number % len(ISSUERS)]}{number // len(ISSUERS):05d}"
        color = COLORS[i % 2]
        axles = 2 if color == "blue" else 2 + number % 5
        lines.append(f"{plate},{color},货车,{axles},91321100MA11111103,C{i},valid,2027-12-31")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_fifty_thousand_vehicles(session: Session, admin: Actor, write_csv: Callable[..., Path]) -> None:
    path = write_csv("vehicles.csv", vehicle_lines(N))
    started = time.perf_counter()
    result = service.import_entities(session, admin, path)
    first = time.perf_counter() - started
    assert result["created"] == N
    assert session.scalar(select(func.count()).select_from(Vehicle)) == N
    assert session.scalar(select(func.count()).select_from(AuditLog)) == 1

    started = time.perf_counter()
    again = service.import_entities(session, admin, path)
    second = time.perf_counter() - started
    assert again["unchanged"] == N
    print(f"\nimported {N} vehicles in {first:.2f} s; re-import (all unchanged) in {second:.2f} s")
