"""The expiry keeper's loop: at every new block, settle each expired series of the OptionsBook as soon as its
settlement price is final (the oracle's TWAP over the settlement window ending at expiry, closed by an update at or
after expiry), refreshing the oracle first when no update closed it yet; past the grace period, settle with the
book's fallback rule rather than leave the series open."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from eth_utils import to_checksum_address

from ballast.keepers.common import RetryPolicy, Stoppable, log_event
from ballast.keepers.expiry.settings import LOGGER_NAME, ExpiryKeeperConfig
from ballast.keepers.expiry.state import ExpiryState
from ballast.keepers.gas import KeeperGas
from ballast.keepers.sending import FailedTransaction, TransactionSender

SETTLE = "options.settle"
ORACLE_UPDATE = "oracle.update"


@dataclass
class ExpiryReport:
    """What one step did: the series settled (id, price, whether at expiry), those expired but waiting for the oracle
    to close their window, how many are not expired yet, and the transactions that failed."""

    block: int
    timestamp: int
    settled: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    not_expired: int = 0
    failed: list[FailedTransaction] = field(default_factory=list)


class ExpiryKeeper(Stoppable):
    """Settles a book's expired series."""

    def __init__(
        self,
        book: Any,
        oracle: Any,
        config: ExpiryKeeperConfig,
        chain_id: int,
        logger: logging.Logger | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.book, self.oracle, self.config = book, oracle, config
        self.logger = logger or logging.getLogger(LOGGER_NAME)
        self.stop = threading.Event()
        self.sleep = sleep or self.wait
        self.retry = RetryPolicy(
            config.max_retries, config.backoff_base, config.backoff_max, self.logger, self.sleep
        )
        self.transactions = TransactionSender(
            config.sender, KeeperGas(config.gas), self.retry.call, self.logger
        )
        self.window = int(self.retry.call("settlementWindow", book.settlementWindow))
        self.grace = self.window if config.grace is None else config.grace
        self.state = ExpiryState.load(config.state_path, chain_id, to_checksum_address(str(book.address)))

    # ---------------------------------------------------------------- one block

    def _closed(self, asset: str, expiry: int) -> bool:
        """Whether the settlement window ending at expiry is final in the oracle's ring."""
        _, complete, observed = self.retry.call(
            "twapEndingAt", lambda: self.oracle.twapEndingAt(asset, self.window, expiry)
        )
        return bool(complete) and int(observed) >= self.window

    def step(self) -> ExpiryReport:
        """Look at every live series once, at the latest block."""
        head = self.retry.call("block", lambda: self.book.provider.get_block("latest"))
        report = ExpiryReport(int(head.number), int(head.timestamp))
        live = [int(i) for i in self.retry.call("liveSeries", self.book.liveSeries)]
        refreshed: set[str] = set()
        for sid in live:
            s = self.retry.call(f"series {sid}", partial(self.book.series, sid))
            expiry, asset = int(s.expiry), str(s.asset)
            if report.timestamp < expiry:
                report.not_expired += 1
                continue
            closed = self._closed(asset, expiry)
            if not closed and self.config.refresh_oracle and asset not in refreshed:
                refreshed.add(asset)
                outcome = self.transactions.send(
                    ORACLE_UPDATE, self.oracle.update, (asset,), block_gas_limit=int(head.gas_limit),
                    modelled=self.config.gas.oracle_update, subject={"series": sid, "asset": asset},
                )  # fmt: skip
                if not outcome.ok:
                    report.failed.append(outcome.failure())
                    log_event(
                        self.logger, "update_failed", logging.WARNING, series=sid, **outcome.log_fields()
                    )
                closed = self._closed(asset, expiry)
            overdue = report.timestamp >= expiry + self.grace
            if not closed and not overdue:
                report.waiting.append(sid)
                log_event(
                    self.logger,
                    "waiting_for_oracle",
                    series=sid,
                    expiry=expiry,
                    settle_by=expiry + self.grace,
                )
                continue
            self._settle(sid, expiry, int(head.gas_limit), report)
        if not report.settled and not report.waiting and not report.failed:
            log_event(
                self.logger,
                "nothing_to_settle",
                block=report.block,
                live=len(live),
                not_expired=report.not_expired,
            )
        return report

    def _settle(self, sid: int, expiry: int, block_gas_limit: int, report: ExpiryReport) -> None:
        outcome = self.transactions.send(
            SETTLE, self.book.settle, (sid,), block_gas_limit=block_gas_limit, modelled=self.config.settle_gas,
            subject={"series": sid},
        )  # fmt: skip
        if not outcome.ok:
            report.failed.append(outcome.failure())
            log_event(self.logger, "settle_failed", logging.ERROR, series=sid, **outcome.log_fields())
            return
        receipt = outcome.receipt
        (event,) = [e for e in receipt.decode_logs(self.book.Settled) if int(e.seriesId) == sid]
        done = {
            "series": sid,
            "price": int(event.settlementPrice),
            "atExpiry": bool(event.atExpiry),
            "delay": int(event.delay),
            "tx": str(receipt.txn_hash),
        }
        report.settled.append(done)
        self.state.settled[sid] = {k: v for k, v in done.items() if k != "series"}
        self.state.save(self.config.state_path)
        level = logging.INFO if done["atExpiry"] else logging.WARNING
        log_event(self.logger, "settled", level, expiry=expiry, **done)

    # ---------------------------------------------------------------- the loop

    def run(self, max_steps: int | None = None, stop: threading.Event | None = None) -> int:
        """Step at every new block until `max_steps` steps are done or stopped (`stop` set, or Ctrl-C); logs
        `keeper_stopped` and returns the exit code (0)."""
        self.stop_on(stop)
        log_event(
            self.logger, "keeper_started", book=str(self.book.address), keeper=str(self.config.sender.address),
            window=self.window, grace=self.grace,
        )  # fmt: skip
        steps, last_block, reason = 0, -1, "steps done"
        try:
            while max_steps is None or steps < max_steps:
                if self.stop.is_set():
                    reason = "interrupted"
                    break
                block = int(
                    self.retry.call("block number", lambda: self.book.provider.get_block("latest").number)
                )
                if block == last_block:
                    self.sleep(self.config.poll_interval)
                    continue
                self.step()
                steps, last_block = steps + 1, block
        except KeyboardInterrupt:
            reason = "interrupted"
        log_event(self.logger, "keeper_stopped", reason=reason, steps=steps, settled=len(self.state.settled))
        return 0
