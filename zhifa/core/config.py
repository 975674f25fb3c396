"""Settings from the environment (prefix ``ZHIFA_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHIFA_", extra="ignore")

    #: SQLAlchemy URL. Default: an SQLite file under ``var/`` (the embedded mode).
    database_url: str = ""
    #: Folder for the embedded database, evidence files and generated demo data.
    var_dir: Path = PROJECT_ROOT / "var"
    #: Secret for signing session cookies and API tokens. The demo generates one per var dir.
    secret_key: str = ""
    #: Zone in which times are shown and legal calendar dates are counted.
    display_tz: str = "Asia/Shanghai"
    #: Lifetime of a web session / API token, in hours.
    token_hours: int = 12
    #: Routing distances in metres (documented in docs/routing.md).
    road_snap_m: float = 50.0
    waterway_line_snap_m: float = 300.0
    waterway_polygon_snap_m: float = 300.0
    #: Raw events older than this many days move from the database to the Parquet archive.
    archive_hot_days: int = 30
    #: Raw captures that raised no lead are dropped after this many days (个人信息保护法 第十九条:
    #: kept no longer than the purpose needs); leads and their evidence are kept.
    retention_days: int = 365
    #: The worker runs the archive and the retention once a day, at the first chance after this
    #: hour (Asia/Shanghai).
    housekeeping_hour: int = Field(default=3, ge=0, le=23)
    #: Seconds between the worker's scans for SLA reminders and escalations.
    scan_interval_s: float = Field(default=5.0, gt=0, le=300)
    #: After a small batch of events (fewer than 500), the rule worker waits this long before it
    #: claims again, so that under load the posts' queue tickets gather into larger batches (a
    #: batch costs ≈ 10 ms of fixed work, whatever its size). It bounds what it adds to a lead's
    #: delay; 0 claims again at once. docs/performance.md.
    worker_linger_s: float = Field(default=0.2, ge=0, le=2)
    #: Whether large posts' vehicle events go through the rules as they are stored (docs/sensing.md,
    #: "Settled as stored"): ``auto`` — on PostgreSQL, where several API processes share that
    #: work; not on SQLite, whose one API process would then do serially what the worker process
    #: does beside it (measured: docs/performance.md). ``on`` / ``off`` force it.
    prescreen: Literal["auto", "on", "off"] = "auto"
    #: Map tiles for the web map: empty = offline GeoJSON base only.
    tile_url: str = ""
    #: CRS of the tiles: ``wgs84`` (e.g. Tianditu) or ``gcj02`` (AMap, Tencent).
    tile_crs: str = "wgs84"
    tile_attribution: str = ""

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / 'zhifa.db'}"

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        # One random secret per var dir, so that a restarted demo keeps its sessions valid.
        import secrets

        self.var_dir.mkdir(parents=True, exist_ok=True)
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
