"""What a liquidation keeper does for the accounts it cannot liquidate in this block (docs/design.md#liveness).

- **Provisions.** An underwater account (maintenance equity below zero) that waits for a later block, because the
  block's gas budget is spent, is recorded with `MarginEngine.provision`: the Pool's lower NAV then counts its loss at
  once, so an LP cannot redeem ahead of it. A provision costs about a health read, a fraction of a liquidation: when
  underwater accounts are deferred, the keeper takes what provisioning them costs back from its last liquidations,
  up to `provision_reserve_bps` of its budget.
- **Wind-downs.** An asset whose sources have been Stale for the oracle's `windDownAfter` (a price that left its feeds'
  bounds, a dead feed) blocks every account holding it. The keeper proposes the permissionless wind-down at the cap
  (what the sources report, never above the last accepted median) and executes it once `windDownDelay` has passed;
  the accounts are then liquidated at the wind-down price by the usual path. A feed that reports nothing leaves the
  proposal to the risk committee: the keeper logs `wind_down_needs_committee`.

Every transaction goes out through the keeper's `TransactionSender`, with the one gas model's limit; a failure is
logged and counted, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ape.contracts import ContractInstance

from ballast.keepers.common import log_event
from ballast.keepers.sending import FailedTransaction, SendOutcome, TransactionSender
from ballast.risk import Health, PriceStatus

PROVISION = "engine.provision"
PROPOSE_WIND_DOWN = "oracle.proposeWindDown"
EXECUTE_WIND_DOWN = "oracle.executeWindDown"

#: A recorded provision is refreshed when the account's shortfall moved by more than this share of it (bps).
PROVISION_DRIFT_BPS = 100


@dataclass
class DutyReport:
    """What the duties did in one step."""

    provisioned: list[str] = field(default_factory=list)
    wind_downs: list[str] = field(default_factory=list)  # "proposed <asset>", "executed <asset>"
    gas_committed: int = 0
    gas_retries: int = 0
    failed_transactions: list[FailedTransaction] = field(default_factory=list)


class LivenessDuties:
    """Provisions and wind-downs for one keeper: `engine` and `oracle` are its contracts, `sender` sends with its gas
    model, `call` retries a read on transient RPC errors (`RetryPolicy.call`)."""

    def __init__(
        self,
        engine: ContractInstance,
        oracle: ContractInstance,
        sender: TransactionSender,
        call: Callable[[str, Callable[[], Any]], Any],
        logger: logging.Logger,
        *,
        provision_gas: int,
        wind_down_gas: int,
        check_interval: int,
    ) -> None:
        self.engine, self.oracle, self.sender, self.call, self.logger = engine, oracle, sender, call, logger
        self.provision_gas = provision_gas
        self.wind_down_gas = wind_down_gas
        self.check_interval = check_interval
        self.provisioned: dict[str, int] = {}  # account -> the shortfall (USD WAD) this keeper last recorded
        self._checked: dict[str, int] = {}  # asset -> when its wind-down state was last read

    # ---------------------------------------------------------------- provisions

    def to_provision(self, accounts: Iterable[str], healths: Mapping[str, Health]) -> list[str]:
        """The accounts of `accounts` that are underwater and whose recorded provision is missing or stale."""
        out = []
        for account in accounts:
            shortfall = -healths[account].maintenance_equity
            if shortfall <= 0:
                continue
            recorded = self.provisioned.get(account, 0)
            if abs(shortfall - recorded) * 10_000 > recorded * PROVISION_DRIFT_BPS:
                out.append(account)
        return out

    def forget(self, accounts: Iterable[str]) -> None:
        """A liquidation cleared these accounts' provisions."""
        for account in accounts:
            self.provisioned.pop(account, None)

    def provision(
        self,
        accounts: list[str],
        healths: Mapping[str, Health],
        budget: int,
        block_gas_limit: int,
        report: DutyReport,
    ) -> None:
        """Record the provision of `accounts` in one transaction, as many as the modelled gas fits in `budget`."""
        fits = max(0, (budget - self.provision_gas) // self.provision_gas)
        batch = accounts[:fits]
        if not batch:
            return
        outcome = self.sender.send(
            PROVISION,
            self.engine.provision,
            (batch,),
            block_gas_limit=block_gas_limit,
            budget=budget,
            modelled=self.provision_gas * (len(batch) + 1),
            subject={"accounts": batch},
        )
        if self._done(outcome, report, "provision_failed"):
            for account in batch:
                self.provisioned[account] = -healths[account].maintenance_equity
            report.provisioned.extend(batch)
            log_event(self.logger, "provisioned", accounts=batch, **outcome.log_fields())

    # ---------------------------------------------------------------- wind-downs

    def wind_down(
        self,
        assets: Iterable[str],
        prices: Mapping[str, Any],
        timestamp: int,
        budget: int,
        block_gas_limit: int,
        report: DutyReport,
    ) -> None:
        """Propose or execute the wind-down of each asset of `assets` (those blocking a liquidation) that has been
        Stale long enough; each asset is looked at once per `check_interval` seconds."""
        for asset in sorted(set(assets)):
            if prices[asset].status == PriceStatus.WIND_DOWN:
                continue
            if timestamp - self._checked.get(asset, -(2**63)) < self.check_interval:
                continue
            self._checked[asset] = timestamp
            action = self._wind_down_action(asset, timestamp)
            if action is None:
                continue
            kind, method = action
            left = budget - report.gas_committed
            outcome = self.sender.send(
                kind,
                method,
                (asset,),
                block_gas_limit=block_gas_limit,
                budget=left,
                modelled=self.wind_down_gas,
                subject={"asset": asset},
            )
            if self._done(outcome, report, "wind_down_failed"):
                verb = "proposed" if kind == PROPOSE_WIND_DOWN else "executed"
                report.wind_downs.append(f"{verb} {asset}")
                log_event(self.logger, f"wind_down_{verb}", asset=asset, **outcome.log_fields())

    def _wind_down_action(self, asset: str, timestamp: int) -> tuple[str, Any] | None:
        """What to send for `asset` now: a proposal, an execution, or nothing (not Stale long enough, a proposal
        still in its delay, or no source report for a permissionless proposal)."""
        params = self.call("livenessParams", lambda: self.oracle.livenessParams())
        stale = int(self.call("staleFor", lambda: self.oracle.staleFor(asset)))
        if stale < int(params.windDownAfter):
            return None
        pending = self.call("windDownProposal", lambda: self.oracle.windDownProposal(asset))
        if int(pending.price) != 0:
            if timestamp >= int(pending.executableAt):
                return EXECUTE_WIND_DOWN, self.oracle.executeWindDown
            return None
        cap, reported = self.call("windDownCap", lambda: self.oracle.windDownCap(asset))
        if not reported:
            log_event(
                self.logger, "wind_down_needs_committee", level=logging.WARNING, asset=asset, stale_for=stale
            )
            return None
        log_event(self.logger, "wind_down_due", asset=asset, stale_for=stale, cap=int(cap))
        return PROPOSE_WIND_DOWN, self.oracle.proposeWindDown

    # ---------------------------------------------------------------- outcomes

    def _done(self, outcome: SendOutcome, report: DutyReport, failure_event: str) -> bool:
        report.gas_committed += outcome.gas_committed
        report.gas_retries += outcome.retries
        if outcome.ok:
            return True
        report.failed_transactions.append(outcome.failure())
        log_event(self.logger, failure_event, level=logging.ERROR, **outcome.subject, **outcome.log_fields())
        return False
