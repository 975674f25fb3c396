"""Write a deterministic, realistic Zhenjiang data set in the import formats (docs/import-formats.md).

    python -m zhifa.demo.generate OUT_DIR [--seed 20260101] [--scale 1.0]

Determinism: every file draws from its own `random.Random` seeded with a string built from the seed
and the file name (string seeds are hashed with SHA-512, not with Python's randomised `hash`), no
clock is read and nothing iterates over a set, so two runs write byte-identical files. Each file has
its own stream so that changing one generator does not reshuffle the others.
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import random
from collections.abc import Iterable, Sequence
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from zhifa.demo import catalogue, devices, geography, items, organisation, registry
from zhifa.demo.organisation import demo_accounts

__all__ = ["DEFAULT_SEED", "demo_accounts", "generate", "write_devices_csv"]

DEFAULT_SEED = 20260101

# Row counts at scale 1.0 (the city's order of magnitude; the mission's figures set the scale).
OFFICERS = 200
ENTERPRISES = 5_000
VEHICLES = 50_000
VESSELS = 2_000
PERSONS = 500
PERMITS = 200


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"{seed}:{stream}")


def _scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


def _write_csv(path: pathlib.Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> pathlib.Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_json(path: pathlib.Path, data: Any) -> pathlib.Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _round_coords(value: Any) -> Any:
    """Round nested coordinate tuples to 6 decimals (avoids float noise such as 119.43000000000001)."""
    if isinstance(value, float):
        return round(value, geography.COORD_DECIMALS)
    if isinstance(value, list | tuple):
        return [_round_coords(v) for v in value]
    return value


def _geojson_geometry(geom: BaseGeometry) -> dict[str, Any]:
    data = dict(mapping(geom))
    data["coordinates"] = _round_coords(data["coordinates"])
    return data


def jurisdiction_geojson() -> dict[str, Any]:
    features = geography.block_features(organisation.block_units())
    features += list(geography.road_sections())
    features += geography.waterway_sections()
    features += geography.port_areas()
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": f.properties(), "geometry": _geojson_geometry(f.geometry)}
            for f in features
        ],
    }


def _unit_rows() -> list[dict[str, str]]:
    return [
        {"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent, "line": u.line, "category": u.category}
        for u in organisation.all_units()
    ]


def generate(out_dir: pathlib.Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, pathlib.Path]:
    """Write every demo import file into `out_dir` and return {name: path}."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, pathlib.Path] = {}

    files["units"] = _write_csv(
        out_dir / "units.csv", ("code", "name", "kind", "parent", "line", "category"), _unit_rows()
    )
    files["officers"] = _write_csv(
        out_dir / "officers.csv",
        organisation.OFFICER_COLUMNS,
        organisation.officers(_rng(seed, "officers"), _scaled(OFFICERS, scale)),
    )
    files["party_branches"] = _write_csv(
        out_dir / "party_branches.csv", ("code", "name", "squadron"), organisation.party_branches()
    )
    files["jurisdiction"] = _write_json(out_dir / "jurisdiction.geojson", jurisdiction_geojson())
    files["duties"] = _write_csv(
        out_dir / "duties.csv",
        ("code", "title", "matters", "mode", "unit", "unit_kind", "line", "legal_basis"),
        catalogue.duty_rows(),
    )
    files["items"] = _write_json(out_dir / "items.json", items.item_rows())

    enterprise_rows, enterprise_index = registry.enterprises(_rng(seed, "enterprises"), _scaled(ENTERPRISES, scale))
    files["enterprises"] = _write_csv(out_dir / "enterprises.csv", registry.ENTERPRISE_COLUMNS, enterprise_rows)
    vehicle_rows = registry.vehicles(_rng(seed, "vehicles"), _scaled(VEHICLES, scale, 20), enterprise_index)
    files["vehicles"] = _write_csv(out_dir / "vehicles.csv", registry.VEHICLE_COLUMNS, vehicle_rows)
    files["vessels"] = _write_csv(
        out_dir / "vessels.csv",
        registry.VESSEL_COLUMNS,
        registry.vessels(_rng(seed, "vessels"), _scaled(VESSELS, scale), enterprise_index),
    )
    files["persons"] = _write_csv(
        out_dir / "persons.csv",
        registry.PERSON_COLUMNS,
        registry.persons(_rng(seed, "persons"), _scaled(PERSONS, scale)),
    )
    files["sites"] = _write_csv(
        out_dir / "sites.csv", registry.SITE_COLUMNS, registry.sites(_rng(seed, "sites"), enterprise_rows)
    )
    files["permits"] = _write_csv(
        out_dir / "permits.csv",
        registry.PERMIT_COLUMNS,
        registry.permits(_rng(seed, "permits"), _scaled(PERMITS, scale), vehicle_rows),
    )
    files["devices"] = write_devices_csv(out_dir / "devices.csv", seed)
    return files


def write_devices_csv(path: pathlib.Path, seed: int = DEFAULT_SEED) -> pathlib.Path:
    """``devices.csv``: not scaled and not random — the devices and their keys depend on the seed only."""
    return _write_csv(path, devices.DEVICE_COLUMNS, devices.device_rows(seed))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the Zhenjiang demo data set.")
    parser.add_argument("out_dir", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    for name, path in generate(args.out_dir, args.seed, args.scale).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
