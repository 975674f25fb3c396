"""Settings of legal arithmetic where the law leaves room (environment, prefix ``ZHIFA_``;
documented in docs/configuration.md and docs/legal-time.md)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class LegalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHIFA_", extra="ignore")

    #: 超限运输车辆行驶公路管理规定 第四十三条第一款第（二）项 says 每超1000千克罚款500元: read
    #: literally only whole 1,000 kg count (false); some discretion benchmarks count a part of
    #: 1,000 kg as a whole one (true).
    overload_round_part_tonnes_up: bool = False


def legal_settings() -> LegalSettings:
    """Read afresh on each call: the setting is cheap to read and tests change it."""
    return LegalSettings()
