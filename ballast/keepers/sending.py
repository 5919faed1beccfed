"""Sending one keeper transaction under the gas model (`ballast.keepers.gas`): estimate it, give it the model's
limit, send it, judge its receipt, and retry it once with a larger limit when it runs out of gas.

A transaction that fails (it reverts, runs out of gas, or the send raises) is an outcome, never an exception: the
keeper logs it, counts it and carries on with its next transaction. Only a transient RPC failure of the estimate
propagates (after the keeper's retries), so that the keeper's loop backs off as for any step that met a node down;
a transient failure of the send itself is an outcome too, since the transaction may have gone out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ape.api import ReceiptAPI
from ape.exceptions import ContractLogicError, OutOfGasError

from ballast.keepers.common import is_transient, log_event
from ballast.keepers.gas import GasError, GasQuote, KeeperGas

T = TypeVar("T")


class Retry(Protocol):
    """`retry(what, fn)`: `fn()`, retried on transient RPC errors (the keeper's backoff policy)."""

    def __call__(self, what: str, fn: Callable[[], T], /) -> T: ...


#: Reverts that mean the transaction's gas limit was too small: `Liquidator.liquidateMany` reverts `BatchOutOfGas`
#: when one account's call frame ran out of gas (rather than skip the account), leaving 1/64 of the gas unused.
OUT_OF_GAS_REVERTS = ("BatchOutOfGas",)


def ran_out_of_gas(error: str) -> bool:
    """Whether a revert's description is one of `OUT_OF_GAS_REVERTS`."""
    return any(name in error for name in OUT_OF_GAS_REVERTS)


def describe(error: BaseException | str | None) -> str:
    """One line for an error: its type and message (ape's messages can span lines)."""
    if error is None:
        return "failed"
    if isinstance(error, str):
        return error
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@dataclass(frozen=True)
class Attempt:
    """One send of a transaction."""

    gas_limit: int
    gas_used: int = 0  # 0 when nothing was mined
    tx: str | None = None
    receipt: ReceiptAPI | None = None  # the receipt of a successful send
    error: str | None = None
    out_of_gas: bool = False
    reverted: bool = False

    @property
    def ok(self) -> bool:
        return self.receipt is not None and self.error is None


@dataclass(frozen=True)
class FailedTransaction:
    """A keeper transaction that failed, as counted in a step report and logged."""

    kind: str
    subject: dict[str, Any]
    error: str
    out_of_gas: bool
    reverted: bool
    gas_limit: int
    gas_used: int
    attempts: int
    tx: str | None


@dataclass
class SendOutcome:
    """What became of one transaction: its receipt, or why it failed."""

    kind: str
    subject: dict[str, Any]
    quote: GasQuote | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None  # set when it failed before it could be sent (estimate, cap)
    reverted_at_estimate: bool = False

    @property
    def receipt(self) -> Any:
        return self.attempts[-1].receipt if self.ok else None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.attempts) and self.attempts[-1].ok

    @property
    def reverted(self) -> bool:
        """Failed because the call reverts (at the estimate or on chain), not for want of gas or a send error."""
        return self.reverted_at_estimate or (bool(self.attempts) and self.attempts[-1].reverted)

    @property
    def out_of_gas(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].out_of_gas

    @property
    def retries(self) -> int:
        """Sends after the first (an out-of-gas retry)."""
        return max(0, len(self.attempts) - 1)

    @property
    def gas_used(self) -> int:
        """Gas the attempts burned (an out-of-gas attempt burns its whole limit)."""
        return sum(a.gas_used for a in self.attempts)

    @property
    def gas_committed(self) -> int:
        """The limits of the attempts: gas the keeper committed to this transaction."""
        return sum(a.gas_limit for a in self.attempts)

    @property
    def failure_reason(self) -> str:
        if self.error is not None:
            return self.error
        if not self.attempts:
            return "not sent"
        return self.attempts[-1].error or "failed"

    def log_fields(self) -> dict[str, Any]:
        """The fields of the outcome's log line: the gas of the last attempt (of all of them too after a retry), and
        why it failed."""
        last = self.attempts[-1] if self.attempts else None
        fields: dict[str, Any] = {
            "kind": self.kind,
            "estimate": self.quote.estimate if self.quote else None,
            "gas_limit": last.gas_limit if last else (self.quote.limit if self.quote else None),
            "gas_used": last.gas_used if last else 0,
            "attempts": len(self.attempts),
            "tx": last.tx if last else None,
        }
        if self.retries:
            fields["gas_used_all_attempts"] = self.gas_used
        if not self.ok:
            fields.update(error=self.failure_reason, out_of_gas=self.out_of_gas, reverted=self.reverted)
        return fields

    def failure(self) -> FailedTransaction:
        """The outcome as a failed transaction of a step report."""
        last = self.attempts[-1] if self.attempts else None
        return FailedTransaction(
            kind=self.kind,
            subject=dict(self.subject),
            error=self.failure_reason,
            out_of_gas=self.out_of_gas,
            reverted=self.reverted,
            gas_limit=last.gas_limit if last else 0,
            gas_used=self.gas_used,
            attempts=len(self.attempts),
            tx=last.tx if last else None,
        )


class TransactionSender:
    """Sends a keeper's transactions from `account` with limits from `gas`; `retry` wraps the node's estimates;
    an out-of-gas retry is logged (`gas_retry`) on `logger`."""

    def __init__(self, account: Any, gas: KeeperGas, retry: Retry, logger: logging.Logger) -> None:
        self.account = account
        self.gas = gas
        self.retry = retry
        self.logger = logger

    def estimate(self, method: Any, args: Sequence[Any]) -> int:
        """The node's gas estimate of `method(*args)` from the keeper's account, retried on transient errors; a
        revert raises ape's ContractLogicError."""
        return int(
            self.retry("eth_estimateGas", lambda: method.estimate_gas_cost(*args, sender=self.account))
        )

    def send(
        self,
        kind: str,
        method: Any,
        args: Sequence[Any],
        *,
        block_gas_limit: int,
        budget: int | None = None,
        modelled: int = 0,
        subject: dict[str, Any] | None = None,
        quote: GasQuote | None = None,
    ) -> SendOutcome:
        """Send `method(*args)` (a transaction of `kind`, e.g. "oracle.update") with the model's limit under the block
        gas limit and `budget`. `quote`: a limit the caller already obtained (from its own estimate). A transaction
        that runs out of gas is retried once, with a larger limit, if the cap leaves room."""
        outcome = SendOutcome(kind, dict(subject or {}))
        model = self.gas.model
        cap = model.cap(block_gas_limit, budget)
        if quote is None:
            try:
                estimate = self.estimate(method, args)
            except Exception as err:
                if is_transient(err):
                    raise
                outcome.error = describe(err)
                outcome.reverted_at_estimate = isinstance(err, ContractLogicError)
                return outcome
            quote = self.gas.quote(kind, estimate, cap, modelled)
        outcome.quote = quote
        try:
            limit = self.gas.require(quote)
        except GasError as err:
            outcome.error = str(err)
            return outcome
        while True:
            attempt = self._attempt(method, args, limit)
            outcome.attempts.append(attempt)
            if attempt.ok or not attempt.out_of_gas or len(outcome.attempts) > 1:
                return outcome
            left = None if budget is None else budget - sum(a.gas_limit for a in outcome.attempts)
            retry = self.gas.out_of_gas(quote, limit, model.cap(block_gas_limit, left))
            log_event(
                self.logger,
                "gas_retry",
                logging.WARNING,
                kind=kind,
                **outcome.subject,
                tx=attempt.tx,
                gas_limit=limit,
                retry_gas_limit=retry,
                learned_factor_bps=self.gas.factor_bps(kind),
            )
            if retry is None:
                return outcome
            limit = retry

    def _attempt(self, method: Any, args: Sequence[Any], limit: int) -> Attempt:
        """Send once with `limit`; never raises for a failed transaction (KeyboardInterrupt still does)."""
        try:
            receipt = method(*args, sender=self.account, gas_limit=limit, raise_on_revert=False)
        except OutOfGasError as err:
            return Attempt(limit, limit, _tx_hash(err), error=describe(err), out_of_gas=True)
        except ContractLogicError as err:
            error = describe(err)
            if ran_out_of_gas(error):
                return Attempt(limit, 0, _tx_hash(err), error=error, out_of_gas=True)
            return Attempt(limit, 0, _tx_hash(err), error=error, reverted=True)
        except Exception as err:
            # Not sent, or sent and lost on the way back (a transient error): the next scan sees it if it landed.
            return Attempt(limit, 0, _tx_hash(err), error=describe(err))
        tx = str(receipt.txn_hash)
        block = receipt.block_number
        if block is None or block < 0:  # refused by the node: not in a block
            return Attempt(limit, 0, tx, error=describe(receipt.error or "not mined"))
        gas_used = int(receipt.gas_used)
        if not receipt.failed:
            return Attempt(limit, gas_used, tx, receipt=receipt)
        if gas_used >= limit:
            return Attempt(limit, gas_used, tx, error=f"out of gas at a limit of {limit:,}", out_of_gas=True)
        error = describe(receipt.error or "reverted")
        if ran_out_of_gas(error):
            return Attempt(limit, gas_used, tx, error=error, out_of_gas=True)
        return Attempt(limit, gas_used, tx, error=error, reverted=True)


def _tx_hash(error: BaseException) -> str | None:
    """The hash of the transaction an ape error carries, if it has one (an unsigned one has none)."""
    try:
        value = error.txn.txn_hash  # type: ignore[attr-defined]
    except Exception:
        return None
    if value is None:
        return None
    return value if isinstance(value, str) else "0x" + bytes(value).hex()
