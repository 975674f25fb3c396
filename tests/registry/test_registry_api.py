"""Bad identifiers through the API: 422 naming the field and the reason; nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import login, make_user
from zhifa.registry.models import Enterprise, Vehicle


@pytest.mark.parametrize(
    ("kind", "body", "field", "reason"),
    [
        ("vehicle", {"plate": "苏LI2345", "plate_color": "blue", "vehicle_type": "truck"}, "plate", "I"),
        ("vehicle", {"plate": "苏LD12345", "plate_color": "blue", "vehicle_type": "car"}, "plate_color", "green"),
        ("enterprise", {"uscc": "91320191MA1MLLDP3C", "name": "某公司", "business": "taxi"}, "uscc", "check"),
        ("person", {"id_type": "resident_id", "id_number": "110105194912310021", "name": "张三"}, "id_number", ""),
        ("vessel", {"mmsi": "12345678", "name": "苏镇货1"}, "mmsi", "9 digits"),
    ],
)
def test_invalid_identifiers_are_422(
    client: Any, session: Session, kind: str, body: dict[str, str], field: str, reason: str
) -> None:
    make_user(session)
    r = client.post(f"/api/v1/entities/{kind}", json=body, headers=login(client))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == field and reason in err["message"], err


def test_valid_entities_are_saved_and_audited(client: Any, session: Session) -> None:
    make_user(session)
    h = login(client)
    for color in ("blue", "yellow"):
        r = client.post(
            "/api/v1/entities/vehicle",
            json={"plate": "苏L12345", "plate_color": color, "vehicle_type": "truck", "axles": "2"},
            headers=h,
        )
        assert r.status_code == 200, r.text
    assert session.scalar(select(func.count()).select_from(Vehicle)) == 2
    r = client.post(
        "/api/v1/entities/enterprise",
        json={"uscc": "91320191MA1MLLDP3L", "name": "镇江某某出租汽车有限公司", "business": "taxi"},
        headers=h,
    )
    assert r.status_code == 200 and session.scalar(select(func.count()).select_from(Enterprise)) == 1
    listed = client.get("/api/v1/entities/vehicle", params={"q": "苏L12345"}, headers=h).json()
    assert listed["total"] == 2
