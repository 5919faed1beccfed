"""Sending liquidations: a batch of accounts becomes one `liquidate` or `liquidateMany` whose gas limit the model
gives (the node's estimate must fit the budget, else the last accounts wait for the next block); its receipt says
which accounts were liquidated, which a competitor liquidated first (skipped: done) and which reverted alone."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ape.api import ReceiptAPI
from ape.contracts import ContractInstance
from ape.exceptions import ContractLogicError
from eth_utils import to_checksum_address

from ballast.keepers.common import is_transient, log_event
from ballast.keepers.gas import GasModel, GasQuote, KeeperGas
from ballast.keepers.liquidation.events import Pending
from ballast.keepers.liquidation.report import StepReport
from ballast.keepers.sending import Retry, SendOutcome, TransactionSender, describe


@dataclass
class Batch:
    """Accounts for one transaction and the gas the model gives each."""

    accounts: list[str] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)


def liquidation_kind(accounts: int) -> str:
    """The gas model's kind of a liquidation of `accounts` accounts: one `liquidate`, else `liquidateMany`."""
    return "liquidate" if accounts == 1 else "liquidateMany"


def events_by_name(receipt: ReceiptAPI, address: Any) -> dict[str, list[Any]]:
    """The receipt's events emitted by `address`, by event name (names the ABI lacks yet simply have none)."""
    events: dict[str, list[Any]] = defaultdict(list)
    for event in receipt.events:
        if str(event.contract_address) == str(address):
            events[event.event_name].append(event)
    return events


def account_of(event: Any) -> str:
    return to_checksum_address(event.event_arguments["account"])


def loggable(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """An event's arguments for a JSON log line: bytes (a revert reason) as 0x-hex."""
    return {k: "0x" + bytes(v).hex() if isinstance(v, bytes) else v for k, v in arguments.items()}


@dataclass(frozen=True)
class LiquidationCall:
    """A Liquidator method with its arguments, to estimate and to send."""

    method: Any
    args: tuple[Any, ...]


class BatchSender:
    """Sends the keeper's liquidation batches through its `TransactionSender`; accounts it tried are marked in
    `pending` to be re-read on the next refresh."""

    def __init__(
        self,
        engine: ContractInstance,
        liquidator: ContractInstance,
        sender: TransactionSender,
        gas: KeeperGas,
        model: GasModel,
        retry: Retry,
        pending: Pending,
        logger: logging.Logger,
    ) -> None:
        self.engine, self.liquidator = engine, liquidator
        self.sender, self.gas, self.model = sender, gas, model
        self.retry, self.pending, self.logger = retry, pending, logger

    def _fit(
        self, accounts: list[str], costs: list[int], budget: int, block_gas_limit: int, report: StepReport
    ) -> tuple[LiquidationCall, GasQuote] | SendOutcome | None:
        """Drop accounts from the end of the batch (they wait for the next block) until the node's estimate fits the
        budget. Returns the call and its gas quote; or the outcome of an estimate that failed (the call reverts, or
        one account cannot be estimated); None if no account is left."""
        while accounts:
            kind = liquidation_kind(len(accounts))
            call = self._call_for(accounts)
            try:
                estimate = self.sender.estimate(call.method, call.args)
            except Exception as err:
                if is_transient(err):
                    raise
                reverts = isinstance(err, ContractLogicError)
                if reverts or len(accounts) == 1:
                    return SendOutcome(
                        kind, {"accounts": list(accounts)}, error=describe(err), reverted_at_estimate=reverts
                    )
                # The node cannot estimate the batch (e.g. it needs more than the block holds): fewer accounts.
            else:
                quote = self.gas.quote(
                    kind,
                    estimate,
                    self.model.cap(block_gas_limit, budget),
                    self.model.liquidation(costs),
                )
                if quote.fits:
                    return call, quote
            report.deferred.insert(0, accounts.pop())
            costs.pop()
        return None

    def send(self, batch: Batch, budget: int, block_gas_limit: int, report: StepReport) -> int:
        """Send `batch` with the gas model's limit within `budget` (the modelled gas, or the node's estimate plus
        headroom when that is higher). If the node's estimate does not fit, the last accounts wait for the next
        block. A liquidation that fails is logged and counted; the keeper goes on. Returns the gas committed."""
        accounts = list(batch.accounts)
        fitted = self._fit(accounts, list(batch.costs), budget, block_gas_limit, report)
        if fitted is None:
            return 0
        if isinstance(fitted, SendOutcome):
            self._failed(fitted, report)
            return 0
        call, quote = fitted
        self.pending.accounts.update(accounts)
        outcome = self.sender.send(
            quote.kind,
            call.method,
            call.args,
            block_gas_limit=block_gas_limit,
            budget=budget,
            subject={"accounts": accounts},
            quote=quote,
        )
        report.gas_committed += outcome.gas_committed
        report.gas_retries += outcome.retries
        if not outcome.ok:
            self._failed(outcome, report)
            return outcome.gas_committed
        receipt = outcome.receipt
        events = events_by_name(receipt, self.liquidator.address)
        liquidated = [account_of(e) for e in events["Liquidated"]]
        skipped = [account_of(e) for e in events["Skipped"]]
        # A batch member that reverted, for a Liquidator that reports it, is a failure of that account alone.
        member_failures = {account_of(e): loggable(e.event_arguments) for e in events["LiquidationFailed"]}
        report.liquidated.extend(liquidated)
        report.raced.extend(skipped)
        report.transactions.append(receipt.txn_hash)
        log_event(
            self.logger,
            "liquidated",
            block=receipt.block_number,
            tx=receipt.txn_hash,
            accounts=liquidated,
            raced=skipped,
            gas_used=receipt.gas_used,
            gas_limit=outcome.attempts[-1].gas_limit,
            estimate=quote.estimate,
        )
        if member_failures:
            report.failed.extend(member_failures)
            log_event(
                self.logger,
                "liquidation_failed",
                level=logging.ERROR,
                accounts=list(member_failures),
                tx=receipt.txn_hash,
                error="LiquidationFailed",
                details=member_failures,
            )
        return outcome.gas_committed

    def _failed(self, outcome: SendOutcome, report: StepReport) -> None:
        """A liquidation failed: its accounts are re-read and judged again on the next block. A lone account whose
        `liquidate` reverts because it is healthy again (someone else liquidated it, or the price moved back) lost
        a race: that is done, not failed."""
        accounts = list(outcome.subject["accounts"])
        self.pending.accounts.update(accounts)
        if outcome.reverted and len(accounts) == 1 and self._healthy_now(accounts[0]):
            report.raced.extend(accounts)
            log_event(self.logger, "liquidation_raced", accounts=accounts)
            return
        report.failed.extend(accounts)
        report.failed_transactions.append(outcome.failure())
        log_event(
            self.logger, "liquidation_failed", level=logging.ERROR, accounts=accounts, **outcome.log_fields()
        )

    def _healthy_now(self, account: str) -> bool:
        """Whether the Liquidator would judge `account` healthy now (False if its prices are not usable)."""
        try:
            h = self.retry("liquidationHealth", lambda: self.engine.liquidationHealth(account))
        except ContractLogicError:
            return False
        return not h.liquidatable

    def _call_for(self, accounts: list[str]) -> LiquidationCall:
        if len(accounts) == 1:
            return LiquidationCall(self.liquidator.liquidate, (accounts[0],))
        return LiquidationCall(self.liquidator.liquidateMany, (accounts,))
