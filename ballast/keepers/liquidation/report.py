"""What one step of the liquidation keeper saw and did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ballast.keepers.sending import FailedTransaction


@dataclass
class StepReport:
    """What one `step` saw and did."""

    block: int
    discovered: list[str] = field(default_factory=list)
    refreshed: int = 0
    liquidatable: list[str] = field(default_factory=list)  # ranked, largest shortfall first
    liquidated: list[str] = field(default_factory=list)
    raced: list[str] = field(default_factory=list)  # healthy again when the transaction ran: done
    blocked: dict[str, list[str]] = field(default_factory=dict)  # account -> assets with no usable price
    deferred: list[str] = field(default_factory=list)  # over this block's gas budget
    failed: list[str] = field(default_factory=list)
    oracle_updates: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    gas_committed: int = 0
    # Transactions that reverted, ran out of gas or could not be sent; an account's also in `failed`.
    failed_transactions: list[FailedTransaction] = field(default_factory=list)
    gas_retries: int = 0  # transactions sent again with a larger limit after running out of gas
    provisioned: list[str] = field(
        default_factory=list
    )  # deferred underwater accounts whose loss was provisioned
    wind_downs: list[str] = field(default_factory=list)  # "proposed <asset>" / "executed <asset>"

    @property
    def eventful(self) -> bool:
        """Whether the step found or sent anything (a quiet step is not logged)."""
        return bool(self.liquidatable or self.discovered or self.transactions or self.failed_transactions)

    def log_fields(self) -> dict[str, Any]:
        """The `step` log event's fields: the accounts acted on by outcome, and counts of the rest."""
        return {
            "block": self.block,
            "discovered": len(self.discovered),
            "refreshed": self.refreshed,
            "liquidatable": len(self.liquidatable),
            "liquidated": self.liquidated,
            "raced": self.raced,
            "deferred": self.deferred,
            "blocked": self.blocked,
            "failed": self.failed,
            "oracle_updates": self.oracle_updates,
            "failed_transactions": len(self.failed_transactions),
            "gas_retries": self.gas_retries,
            "gas_committed": self.gas_committed,
        }
