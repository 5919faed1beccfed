"""The risk keeper's loop: read the engine's parameters, build each asset's price history (the oracle's
`PriceUpdated` events over a trailing window, or a CSV), propose its parameters (`ballast.riskdata.proposals`), plan
the next bounded step of each collateral asset and market (`ballast.keepers.risk.policy`) and send it from the risk
manager's account (`setCollateralParams` / `setMarketParams`).

Before a step that tightens, the keeper asks the engine (`eth_estimateGas` of the very call): a `RiskStepTooSoon`
answer gives the time of the subject's last tightening, which the keeper keeps and plans with again (the subject's
loosening still goes; its rises wait). A transaction that fails anyway is logged, counted in the report and the
keeper goes on with the next subject. RPC failures are retried with exponential backoff."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ape.exceptions import ContractLogicError

from ballast.errors import RiskDataError, SeriesError
from ballast.keepers.common import RetryPolicy, Stoppable, is_transient, log_event
from ballast.keepers.gas import KeeperGas
from ballast.keepers.risk.policy import (
    CollateralState,
    MarketState,
    SubjectPlan,
    plan,
    plan_collateral,
    plan_market,
    subject_of,
)
from ballast.keepers.risk.settings import LOGGER_NAME, RiskKeeperConfig
from ballast.keepers.risk.state import RiskState
from ballast.keepers.sending import FailedTransaction, TransactionSender
from ballast.reader import fetch_listings
from ballast.riskdata.history import PriceHistory, load_csv, load_oracle_events
from ballast.riskdata.proposals import Proposal, propose

SET_COLLATERAL = "engine.setCollateralParams"
SET_MARKET = "engine.setMarketParams"


@dataclass
class RiskReport:
    """What one step did: the proposals made, the plans with a change, the steps sent (or, dry, only planned), the
    subjects whose tightening waits for the engine's spacing, the assets without a proposal and why, and the
    transactions that failed."""

    block: int
    timestamp: int
    dry_run: bool
    proposals: dict[str, Proposal] = field(default_factory=dict)
    planned: list[SubjectPlan] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: list[FailedTransaction] = field(default_factory=list)


def changes(p: SubjectPlan) -> dict[str, list[int]]:
    """{parameter: [today, new]} of the parameters a plan changes."""
    return {s.name: [s.today, s.new] for s in p.steps if s.changed}


class RiskKeeper(Stoppable):
    """Steps a deployment's risk parameters toward data-driven proposals, within the risk manager's bounds."""

    def __init__(
        self,
        engine: Any,
        oracle: Any,
        liquidator: Any,
        config: RiskKeeperConfig,
        chain_id: int,
        logger: logging.Logger | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.engine, self.oracle, self.liquidator, self.config = engine, oracle, liquidator, config
        self.logger = logger or logging.getLogger(LOGGER_NAME)
        self.stop = threading.Event()
        self.sleep = sleep or self.wait
        self.retry = RetryPolicy(
            config.max_retries, config.backoff_base, config.backoff_max, self.logger, self.sleep
        )
        self.transactions = TransactionSender(
            config.sender, KeeperGas(config.gas), self.retry.call, self.logger
        )
        max_step = int(self.retry.call("MAX_RISK_STEP_BPS", engine.MAX_RISK_STEP_BPS))
        interval = int(self.retry.call("RISK_STEP_INTERVAL", engine.RISK_STEP_INTERVAL))
        self.policy = config.policy(max_step, interval)
        self.proposal_settings = config.proposal_settings()
        self.csv = {symbol: load_csv(path, symbol) for symbol, path in config.csv.items()}
        self.state = RiskState.load(config.state_path, chain_id, str(engine.address))
        self.block_times: dict[int, int] = {}

    # ---------------------------------------------------------------- reads

    def read_params(self, block: int) -> tuple[list[CollateralState], list[MarketState], int]:
        """Every collateral asset's and market's parameters at `block`, and the Liquidator's penalty."""
        listings = self.retry.call("listings", lambda: fetch_listings(self.engine, block))
        penalty = int(self.retry.call("penaltyBps", self.liquidator.penaltyBps))
        collateral = [
            CollateralState(
                listings.symbols[a], a, listings.decimals[a], int(p[0]), int(p[1]), int(p[2]), int(p[3])
            )
            for a, p in listings.collateral.items()
        ]
        markets = [
            MarketState(m, listings.symbols[p[0]], p[0], *(int(x) for x in p[1:]))
            for m, p in listings.markets.items()
        ]
        return collateral, markets, penalty

    def _timestamp(self, block: int) -> int:
        if block not in self.block_times:
            self.block_times[block] = int(
                self.retry.call(f"block {block}", lambda: self.engine.provider.get_block(block).timestamp)
            )
        return self.block_times[block]

    def history_start(self, head: int, now: int) -> int:
        """`history_from_block`, else the first block at or after `now - history_window` (a binary search)."""
        if self.config.history_from_block is not None:
            return min(self.config.history_from_block, head)
        since = now - self.config.history_window
        low, high = 0, head
        while low < high:
            mid = (low + high) // 2
            if self._timestamp(mid) < since:
                low = mid + 1
            else:
                high = mid
        return low

    def histories(
        self, head: int, now: int, assets: Mapping[str, str]
    ) -> tuple[dict[str, PriceHistory], dict[str, str]]:
        """Each asset's history (symbol -> address in `assets`): its CSV, else the oracle's events from
        `history_start`; the symbols without one, and why."""
        out: dict[str, PriceHistory] = {}
        skipped: dict[str, str] = {}
        start: int | None = None
        for symbol, asset in assets.items():
            if symbol in self.csv:
                out[symbol] = self.csv[symbol]
                continue
            start = self.history_start(head, now) if start is None else start
            try:
                out[symbol] = self.retry.call(
                    f"PriceUpdated {symbol}", partial(self._events, asset, start, head, symbol)
                )
            except SeriesError as err:
                skipped[symbol] = str(err)
        return out, skipped

    def _events(self, asset: str, start: int, head: int, symbol: str) -> PriceHistory:
        return load_oracle_events(self.oracle, asset, start, head, symbol, self.block_times)

    # ---------------------------------------------------------------- one step

    def step(self, histories: Mapping[str, PriceHistory] | None = None) -> RiskReport:
        """Propose, plan and send the next step of every subject at the latest block; `histories` (symbol -> history)
        replaces the keeper's own (its CSVs or the oracle's events)."""
        head = self.retry.call("block", lambda: self.engine.provider.get_block("latest"))
        block, now = int(head.number), int(head.timestamp)
        report = RiskReport(block, now, self.config.dry_run)
        collateral, markets, penalty = self.read_params(block)
        assets = {c.symbol: c.asset for c in collateral} | {m.symbol: m.asset for m in markets}
        if histories is None:
            found, report.skipped = self.histories(block, now, assets)
        else:
            found = {s: h for s, h in histories.items() if s in assets}
        for symbol, history in found.items():
            try:
                report.proposals[symbol] = propose(
                    history, self.proposal_settings, self.config.depth.get(symbol)
                )
            except RiskDataError as err:
                report.skipped[symbol] = str(err)
        for symbol, why in report.skipped.items():
            log_event(self.logger, "no_proposal", logging.INFO, asset=symbol, reason=why)
        states: dict[str, CollateralState | MarketState] = {c.subject: c for c in collateral}
        states |= {m.subject: m for m in markets}
        plans = plan(
            collateral, markets, report.proposals, penalty, self.policy, now, self.state.last_tightened
        )
        for p in plans:
            if p.tightens:
                p = self._space(p, states[p.subject], report, penalty, now)
            elif p.rises_held:
                self._held(p, report)
            if not p.changed:
                continue
            report.planned.append(p)
            log_event(
                self.logger, "risk_step_planned", subject=p.subject, label=p.label, tightens=p.tightens,
                changes=changes(p), why={s.name: s.reason for s in p.steps if s.changed}, dry_run=self.config.dry_run,
            )  # fmt: skip
            if not self.config.dry_run:
                self._send(p, int(head.gas_limit), report)
        if not report.planned:
            log_event(
                self.logger, "nothing_to_step", block=block, proposals=sorted(report.proposals),
                held=[h["subject"] for h in report.held],
            )  # fmt: skip
        return report

    def _setter(self, p: SubjectPlan) -> tuple[str, Any]:
        if p.kind == "collateral":
            return SET_COLLATERAL, self.engine.setCollateralParams
        return SET_MARKET, self.engine.setMarketParams

    def _too_soon(self, p: SubjectPlan) -> int | None:
        """The engine's next allowed time for `p`'s tightening when it refuses it now (`RiskStepTooSoon`)."""
        _, method = self._setter(p)
        try:
            self.transactions.estimate(method, (p.target, p.args))
        except ContractLogicError as err:
            if getattr(err, "name", None) == "RiskStepTooSoon":
                inputs = getattr(err, "inputs", {})
                self.state.last_tightened[subject_of(inputs["subject"])] = (
                    int(inputs["nextAllowedAt"]) - self.policy.step_interval
                )
                return int(inputs["nextAllowedAt"])
        except Exception as err:
            if is_transient(err):
                raise
        return None

    def _space(
        self,
        p: SubjectPlan,
        state: CollateralState | MarketState,
        report: RiskReport,
        penalty: int,
        now: int,
    ) -> SubjectPlan:
        """`p`, or, when the engine refuses its tightening until later, the plan without its rises."""
        next_allowed = self._too_soon(p)
        if next_allowed is None:
            return p
        self.state.save(self.config.state_path)
        proposal = report.proposals[state.symbol]
        last = self.state.last_tightened
        if isinstance(state, CollateralState):
            again = plan_collateral(state, proposal, self.policy, now, last)
        else:
            again = plan_market(state, proposal, penalty, self.policy, now, last)
        report.held.append({"subject": p.subject, "label": p.label, "next_allowed_at": next_allowed})
        log_event(
            self.logger, "tightening_too_soon", subject=p.subject, label=p.label, next_allowed_at=next_allowed,
            wanted=changes(p),
        )  # fmt: skip
        return again

    def _held(self, p: SubjectPlan, report: RiskReport) -> None:
        """A rise the spacing keeps for later, as the keeper's state knows it."""
        next_allowed = self.state.last_tightened[p.subject] + self.policy.step_interval
        report.held.append({"subject": p.subject, "label": p.label, "next_allowed_at": next_allowed})
        wanted = {s.name: [s.today, s.proposed] for s in p.steps if s.held}
        log_event(
            self.logger, "tightening_held", subject=p.subject, label=p.label, next_allowed_at=next_allowed,
            toward=wanted,
        )  # fmt: skip

    def _send(self, p: SubjectPlan, block_gas_limit: int, report: RiskReport) -> None:
        kind, method = self._setter(p)
        outcome = self.transactions.send(
            kind, method, (p.target, p.args), block_gas_limit=block_gas_limit, modelled=self.config.step_gas,
            subject={"subject": p.subject},
        )  # fmt: skip
        if not outcome.ok:
            report.failed.append(outcome.failure())
            log_event(self.logger, "risk_step_failed", logging.WARNING, label=p.label, **outcome.log_fields())
            return
        receipt = outcome.receipt
        block = int(receipt.block_number)
        timestamp = self._timestamp(block)
        done = {
            "subject": p.subject,
            "label": p.label,
            "block": block,
            "timestamp": timestamp,
            "tx": str(receipt.txn_hash),
            "tightens": p.tightens,
            "changes": changes(p),
        }
        report.sent.append(done)
        if p.tightens:
            self.state.last_tightened[p.subject] = timestamp
        self.state.last_step[p.subject] = {k: v for k, v in done.items() if k != "subject"}
        self.state.save(self.config.state_path)
        log_event(self.logger, "risk_step_sent", logging.INFO, **done)

    # ---------------------------------------------------------------- the loop

    def run(
        self,
        max_steps: int | None = None,
        on_report: Callable[[RiskReport], None] | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Step every `interval` seconds until `max_steps` steps are done or stopped (`stop` set, or Ctrl-C), handing
        each step's report to `on_report`; logs `keeper_stopped` and returns the exit code (0)."""
        self.stop_on(stop)
        log_event(
            self.logger, "keeper_started", engine=str(self.engine.address), sender=str(self.config.sender.address),
            dry_run=self.config.dry_run, interval=self.config.interval,
        )  # fmt: skip
        steps, reason = 0, "steps done"
        try:
            while max_steps is None or steps < max_steps:
                if self.stop.is_set():
                    reason = "interrupted"
                    break
                report = self.step()
                if on_report is not None:
                    on_report(report)
                steps += 1
                if max_steps is None or steps < max_steps:
                    self.sleep(self.config.interval)
        except KeyboardInterrupt:
            reason = "interrupted"
        log_event(self.logger, "keeper_stopped", reason=reason, steps=steps)
        return 0
