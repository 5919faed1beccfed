"""The oracle keeper's loop: one step per interval pushes each asset's next price into its writable feeds and calls
`OracleAggregator.update(asset)`; RPC failures are retried with backoff; SIGINT and SIGTERM stop it cleanly."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, TypeVar

import requests
from ape.api import AccountAPI
from ape.exceptions import ProviderError
from ape.managers.chain import ChainManager

from ballast.errors import KeeperError
from ballast.keepers.common import JsonFormatter, Stoppable, log_event
from ballast.keepers.gas import KeeperGas
from ballast.keepers.oracle.prices import random_walk, replay_prices, source_prices
from ballast.keepers.oracle.settings import OracleKeeperConfig, PriceSourceConfig
from ballast.keepers.sending import FailedTransaction, TransactionSender
from ballast.manifest import Deployment
from ballast.risk import STATUS_NAMES

LOGGER_NAME = "ballast.keeper.oracle"
ORACLE_UPDATE = "oracle.update"
#: Failures worth another try: the node or the connection, not a reverted transaction.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ProviderError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
    TimeoutError,
)


T = TypeVar("T")


def keeper_logger(stream: Any = None) -> logging.Logger:
    """The keeper's structured logger (JSON lines on stderr unless `stream` is given)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_ballast", False) for h in logger.handlers):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        handler._ballast = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def with_retries(
    action: Callable[[], T],
    what: str,
    logger: logging.Logger,
    retries: int = 5,
    backoff: float = 1.0,
    backoff_max: float = 30.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> T:
    """Run `action`; on a transient RPC failure wait backoff, 2 * backoff, ... (at most `backoff_max`) and try again,
    `retries` times at most. A reverted transaction is not retried."""
    attempt = 0
    while True:
        try:
            return action()
        except TRANSIENT_ERRORS as err:
            if attempt >= retries:
                log_event(logger, "gave_up", logging.ERROR, action=what, attempts=attempt + 1, error=str(err))
                raise
            delay = min(backoff * 2**attempt, backoff_max)
            attempt += 1
            log_event(
                logger,
                "retry",
                logging.WARNING,
                action=what,
                attempt=attempt,
                delay=delay,
                error=str(err)[:200],
            )
            sleep(delay)


@dataclass(frozen=True)
class WritableFeed:
    symbol: str
    index: int
    kind: str  # push | mock
    contract: Any
    decimals: int


@dataclass(frozen=True)
class StepResult:
    symbol: str
    price: Decimal
    median: int  # WAD
    twap: int  # WAD
    status: str
    failed: tuple[FailedTransaction, ...] = ()  # this step's transactions for the asset that failed


def status_name(status: int) -> str:
    """The name of an `IOracleAggregator.Status` value; one this keeper does not know is named by its number."""
    return STATUS_NAMES[status] if 0 <= status < len(STATUS_NAMES) else f"Status({status})"


def to_answer(price: Decimal, decimals: int) -> int:
    return int((price * 10**decimals).to_integral_value(ROUND_HALF_UP))


class OracleKeeper(Stoppable):
    """Pushes one price per asset per step into the deployment's writable feeds, then updates the oracle."""

    def __init__(
        self,
        deployment: Deployment,
        sender: AccountAPI,
        config: OracleKeeperConfig,
        chain: ChainManager | None = None,
        logger: logging.Logger | None = None,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        self.deployment = deployment
        self.sender = sender
        self.config = config
        self.chain = chain
        self.logger = logger or keeper_logger()
        self.stop = threading.Event()
        self.sleep = sleep or self.wait
        self.steps_done = 0
        manifest = deployment.manifest
        unknown = [s for s in config.assets if s not in manifest.feeds]
        if unknown:
            raise KeeperError(
                f"no oracle sources for {', '.join(unknown)} in this deployment (assets: {', '.join(manifest.feeds)})"
            )
        if config.advance and (chain is None or not chain.provider.network.is_local):
            raise KeeperError("--advance moves the chain clock: local networks only")
        self.gas = KeeperGas(config.gas)
        self.transactions = TransactionSender(
            sender, self.gas, lambda what, action: self._retry(action, what), self.logger
        )
        self.feeds = {symbol: self._writable(symbol) for symbol in config.assets}
        self.streams = {symbol: self._stream(symbol, source) for symbol, source in config.assets.items()}

    def _writable(self, symbol: str) -> list[WritableFeed]:
        feeds = []
        skipped_push = []
        for i, (entry, contract) in enumerate(
            zip(self.deployment.manifest.feeds[symbol], self.deployment.feeds[symbol], strict=True)
        ):
            if entry.kind == "mock":
                feeds.append(WritableFeed(symbol, i, "mock", contract, entry.decimals))
            elif entry.kind == "push":
                if contract.isReporter(self.sender):
                    feeds.append(WritableFeed(symbol, i, "push", contract, entry.decimals))
                else:
                    skipped_push.append(f"#{i} {entry.address}")
        if not feeds:
            reason = (
                f"{self.sender.address} is not a reporter of its push feeds ({', '.join(skipped_push)}); the "
                f"deployment's keeper is {self.deployment.manifest.roles.get('keeper')}"
                if skipped_push
                else "its sources are existing feeds the keeper cannot write"
            )
            raise KeeperError(f"{symbol}: nothing to push into: {reason}")
        return feeds

    def _stream(self, symbol: str, source: PriceSourceConfig) -> Iterator[Decimal]:
        if source.csv is not None:
            current = self._median(symbol, "replay absolute prices") if source.prices == "rescaled" else None
            return replay_prices(source_prices(source, symbol, current), source.loop)  # read now: fail now
        assert source.walk is not None
        start = source.walk.start
        if start is None:
            start = self._median(symbol, "give the walk a `start`")
        return random_walk(start, source.walk)

    def _median(self, symbol: str, otherwise: str) -> Decimal:
        """The oracle's current median of `symbol`, USD."""
        median = int(self.deployment.oracle.median(self.deployment.tokens[symbol]))
        if median == 0:
            raise KeeperError(f"{symbol}: the oracle has no price yet; {otherwise}")
        return Decimal(median) / 10**18

    def _retry(self, action: Callable[[], T], what: str) -> T:
        c = self.config
        return with_retries(action, what, self.logger, c.retries, c.backoff, c.backoff_max, self.sleep)

    def step(self) -> list[StepResult] | None:
        """Push the next price of every asset and update the oracle; None once a source has run out."""
        prices = {}
        for symbol, stream in self.streams.items():
            price = next(stream, None)
            if price is None:
                return None
            prices[symbol] = price
        if self.config.advance and self.chain is not None:
            self.chain.mine(timestamp=self.chain.pending_timestamp + self.config.advance)
        results = []
        oracle, tokens = self.deployment.oracle, self.deployment.tokens
        block_gas_limit = self._retry(lambda: int(oracle.provider.get_block("latest").gas_limit), "block")
        for symbol, price in prices.items():
            failed: list[FailedTransaction] = []
            for feed in self.feeds[symbol]:
                kind, method = (
                    ("feed.submit", feed.contract.submit)
                    if feed.kind == "push"
                    else ("feed.setAnswer", feed.contract.setAnswer)
                )
                outcome = self.transactions.send(
                    kind,
                    method,
                    (to_answer(price, feed.decimals),),
                    block_gas_limit=block_gas_limit,
                    modelled=self.config.gas.feed_push,
                    subject={"asset": symbol, "feed": feed.index},
                )
                if not outcome.ok:
                    failed.append(outcome.failure())
                    log_event(
                        self.logger,
                        "push_failed",
                        logging.ERROR,
                        asset=symbol,
                        feed=feed.index,
                        address=str(feed.contract.address),
                        **outcome.log_fields(),
                    )
            outcome = self.transactions.send(
                ORACLE_UPDATE,
                oracle.update,
                (tokens[symbol],),
                block_gas_limit=block_gas_limit,
                modelled=self.config.gas.oracle_update,
                subject={"asset": symbol},
            )
            if not outcome.ok:
                failed.append(outcome.failure())
                log_event(self.logger, "update_failed", logging.ERROR, asset=symbol, **outcome.log_fields())
            median, twap, status, _ = self._retry(
                partial(oracle.getPriceData, tokens[symbol]), f"read {symbol}"
            )
            result = StepResult(
                symbol, price, int(median), int(twap), status_name(int(status)), tuple(failed)
            )
            results.append(result)
            log_event(
                self.logger,
                "pushed",
                step=self.steps_done + 1,
                asset=symbol,
                price=str(price),
                feeds=len(self.feeds[symbol]),
                failed=len(failed),
                median=str(Decimal(result.median) / 10**18),
                twap=str(Decimal(result.twap) / 10**18),
                status=result.status,
            )
        self.steps_done += 1
        return results

    def run(self, stop: threading.Event | None = None) -> int:
        """Step every `interval` seconds until `steps` are done, a source runs out, or `stop` is set (Ctrl-C sets
        it through `stop_on_signals`). Returns the number of steps done."""
        self.stop_on(stop)
        stop = self.stop
        log_event(
            self.logger,
            "started",
            network=self.deployment.manifest.network,
            keeper=str(self.sender.address),
            assets={s: len(f) for s, f in self.feeds.items()},
            interval=self.config.interval,
            steps=self.config.steps,
        )
        reason = "steps done"
        try:
            while self.config.steps is None or self.steps_done < self.config.steps:
                if stop.is_set():
                    reason = "interrupted"
                    break
                if self.step() is None:
                    reason = "source exhausted"
                    break
                if self.config.steps is not None and self.steps_done >= self.config.steps:
                    break
                if stop.wait(self.config.interval):
                    reason = "interrupted"
                    break
        except KeyboardInterrupt:
            reason = "interrupted"
        log_event(self.logger, "stopped", reason=reason, steps=self.steps_done)
        return self.steps_done
