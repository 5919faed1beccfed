"""The oracle keeper: pushes prices from a source (a CSV of `timestamp,price`, or a seeded random walk) into a
deployment's writable feeds and calls `OracleAggregator.update(asset)`, one step per interval.

Writable feeds are the PushFeeds the keeper's account reports into, and MockFeeds (open setters, test networks);
existing third-party feeds are read by the oracle but never written. Every step logs one JSON line per asset
(`ballast.keeper.oracle`); RPC failures are retried with exponential backoff; Ctrl-C (or SIGTERM) ends the run
after the current transaction, with a final `stopped` line.

Every transaction (each push, each `update`) gets its gas limit from the keepers' one gas model
(`ballast.keepers.gas`, `gas` in the config) and goes out through `ballast.keepers.sending`: one that reverts or runs
out of gas (retried once with a larger limit first) is logged (`push_failed`, `update_failed`), counted in the
asset's step result, and the keeper carries on with the next transaction and the next step.
"""

from __future__ import annotations

import csv
import logging
import math
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import requests
from ape.exceptions import ProviderError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from ballast.errors import KeeperError
from ballast.keepers.common import JsonFormatter, log_event
from ballast.keepers.gas import GasModel, KeeperGas
from ballast.keepers.sending import FailedTransaction, TransactionSender
from ballast.manifest import Deployment

LOGGER_NAME = "ballast.keeper.oracle"
#: IOracleAggregator.Status by value (WindDown: main's contracts); `status_name` names a later value by its number.
STATUS_NAMES = ("Ok", "Deviated", "Stale", "Frozen", "WindDown")
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


# ---------------------------------------------------------------------------------------------------- config


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class WalkParams(_Model):
    """A geometric random walk: each step multiplies the price by exp(N(drift, volatility))."""

    volatility_bps: int = Field(default=50, ge=0, le=5_000)  # per step
    drift_bps: int = Field(default=0, ge=-1_000, le=1_000)  # per step
    seed: int = 0
    start: Decimal | None = Field(default=None, gt=0)  # USD; default: the oracle's current median


class PriceSourceConfig(_Model):
    """Exactly one of `csv` (a file of `timestamp,price` rows, replayed one row per step) and `walk`."""

    csv: Path | None = None
    walk: WalkParams | None = None
    loop: bool = False  # start the CSV over at its end instead of stopping

    @model_validator(mode="after")
    def _one_source(self) -> PriceSourceConfig:
        if (self.csv is None) == (self.walk is None):
            raise ValueError("give exactly one of `csv` and `walk`")
        return self


class OracleKeeperConfig(_Model):
    """What the keeper pushes, how often, and how it retries."""

    assets: dict[str, PriceSourceConfig] = Field(min_length=1)
    interval: float = Field(default=60.0, ge=0)  # seconds between steps
    steps: int | None = Field(default=None, ge=1)  # None: until stopped (or a CSV ends)
    advance: int = Field(
        default=0, ge=0
    )  # local chains only: move the chain clock this many seconds per step
    retries: int = Field(default=5, ge=0)
    backoff: float = Field(default=1.0, ge=0)  # first retry delay, doubled each time
    backoff_max: float = Field(default=30.0, ge=0)
    gas: GasModel = Field(default_factory=GasModel)  # headroom, retry factor, modelled figures

    @classmethod
    def from_yaml(cls, path: Path | str) -> OracleKeeperConfig:
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as err:
            raise KeeperError(f"{path}: cannot read the keeper config ({err})") from None
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: Any, source: str = "keeper config") -> OracleKeeperConfig:
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise KeeperError(f"{source}: {where}: {first['msg']} (got {first.get('input')!r})") from None


# ---------------------------------------------------------------------------------------------------- prices


def read_price_csv(path: Path | str) -> list[Decimal]:
    """Prices of a `timestamp,price` CSV (a header row, then one row per observation)."""
    path = Path(path)
    try:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as err:
        raise KeeperError(f"{path}: cannot read it ({err.strerror})") from None
    if not rows or len(rows[0]) < 2:
        raise KeeperError(f"{path}: expected a header row `timestamp,price`")
    prices = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            price = Decimal(row[1])
        except (IndexError, InvalidOperation):
            raise KeeperError(f"{path}: line {line}: no price in {row!r}") from None
        if not price.is_finite() or price <= 0:
            raise KeeperError(f"{path}: line {line}: the price must be positive (got {row[1]})")
        prices.append(price)
    if not prices:
        raise KeeperError(f"{path}: no price rows")
    return prices


def csv_prices(path: Path | str, loop: bool = False) -> Iterator[Decimal]:
    prices = read_price_csv(path)
    while True:
        yield from prices
        if not loop:
            return


def random_walk(start: Decimal, params: WalkParams) -> Iterator[Decimal]:
    """A seeded geometric random walk starting at `start` (the first value is `start` itself)."""
    rng = random.Random(params.seed)
    price = float(start)
    while True:
        yield Decimal(repr(price)).quantize(Decimal("1e-8")) if price >= 1e-8 else Decimal("1e-8")
        price *= math.exp(rng.gauss(params.drift_bps / 10_000, params.volatility_bps / 10_000))


# ---------------------------------------------------------------------------------------------------- logging


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


# ---------------------------------------------------------------------------------------------------- retries


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


# ---------------------------------------------------------------------------------------------------- the keeper


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


class OracleKeeper:
    """Pushes one price per asset per step into the deployment's writable feeds, then updates the oracle."""

    def __init__(
        self,
        deployment: Deployment,
        sender: Any,
        config: OracleKeeperConfig,
        chain: Any = None,
        logger: logging.Logger | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.deployment = deployment
        self.sender = sender
        self.config = config
        self.chain = chain
        self.logger = logger or keeper_logger()
        self.sleep = sleep
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
            read_price_csv(source.csv)  # fail now, not at the first step
            return csv_prices(source.csv, source.loop)
        assert source.walk is not None
        start = source.walk.start
        if start is None:
            median = int(self.deployment.oracle.median(self.deployment.tokens[symbol]))
            if median == 0:
                raise KeeperError(f"{symbol}: the oracle has no price yet; give the walk a `start`")
            start = Decimal(median) / 10**18
        return random_walk(start, source.walk)

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
        stop = stop or threading.Event()
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


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """While inside, SIGINT and SIGTERM set `stop` instead of raising: the keeper finishes its transaction and
    exits cleanly. A second Ctrl-C interrupts at once."""
    previous = {}

    def handle(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handle)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def config_from_options(
    csv_specs: tuple[str, ...],
    walk_specs: tuple[str, ...],
    seed: int,
    interval: float,
    steps: int | None,
    advance: int,
) -> OracleKeeperConfig:
    """The keeper config of `--csv SYMBOL=PATH` and `--walk SYMBOL[:VOLATILITY_BPS]` options."""
    assets: dict[str, Any] = {}
    for spec in csv_specs:
        symbol, sep, path = spec.partition("=")
        if not sep or not symbol or not path:
            raise KeeperError(
                f"--csv {spec}: expected SYMBOL=PATH, e.g. WETH=data/crashes/eth_2022-11-09.csv"
            )
        assets[symbol] = {"csv": path}
    for i, spec in enumerate(walk_specs):
        symbol, _, vol = spec.partition(":")
        if not symbol:
            raise KeeperError(f"--walk {spec}: expected SYMBOL or SYMBOL:VOLATILITY_BPS")
        walk: dict[str, Any] = {"seed": seed + i}
        if vol:
            if not vol.isdigit():
                raise KeeperError(f"--walk {spec}: the volatility is a whole number of bps")
            walk["volatilityBps"] = int(vol)
        assets[symbol] = {"walk": walk}
    if not assets:
        raise KeeperError("nothing to push: give --csv SYMBOL=PATH or --walk SYMBOL (or --config)")
    return OracleKeeperConfig.parse(
        {"assets": assets, "interval": interval, "steps": steps, "advance": advance}, "options"
    )
