"""The credit link, pure: whether a decided case makes a dishonesty record (失信记录) for its
party and vehicle, how serious, and for how long it is published (no database, no I/O).

No record for a warning, a no-penalty outcome or a fine below the configured minimum; the
thresholds and publication periods are local standards (``CaseConfig``). A revoked permit, a
suspension or an occupational ban is always ``serious``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhifa.cases.config import CaseConfig
from zhifa.cases.procedure import Penalty, add_months


@dataclass(frozen=True)
class CreditDecision:
    record: bool
    severity: str | None
    months: int
    reason: str


def assess(p: Penalty, party_kind: str, cfg: CaseConfig) -> CreditDecision:
    org = party_kind == "organisation"
    minimum = cfg.yuan("credit_min_fine_org_yuan" if org else "credit_min_fine_person_yuan")
    serious_at = cfg.yuan("credit_serious_fine_org_yuan" if org else "credit_serious_fine_person_yuan")
    grave = p.permit == "revoke" or p.suspension or p.occupational_ban
    if grave or (serious_at > 0 and p.fine_yuan >= serious_at):
        why = (
            "吊销许可、责令停产停业或限制从业"
            if grave
            else f"罚款{p.fine_yuan:.2f}元，达到严重失信标准{serious_at:.2f}元"
        )
        return CreditDecision(True, "serious", cfg.credit_publish_months_serious, why)
    if p.fine_yuan > 0 and p.fine_yuan >= minimum:
        return CreditDecision(
            True,
            "general",
            cfg.credit_publish_months_general,
            f"罚款{p.fine_yuan:.2f}元，达到失信记录标准{minimum:.2f}元",
        )
    if p.fine_yuan == 0:
        return CreditDecision(False, None, 0, "仅警告或无罚款：不记失信")
    return CreditDecision(False, None, 0, f"罚款{p.fine_yuan:.2f}元，低于失信记录标准{minimum:.2f}元")


def publish_until(start: date, months: int) -> date:
    return add_months(start, months)
