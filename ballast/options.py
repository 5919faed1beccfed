"""A deployment's options (its OptionsBook, a margin product of the MarginEngine): quotes, trades through
`MarginEngine.tradeProduct`, and an account's positions with their mark value, delta and vega (`ballast.optionmath`,
the bit-exact mirror of the contracts' Black-Scholes).

Sizes are whole units of the underlying (`1.5` is 1.5 WETH of options), cash and premiums USD; the contracts take
both in WAD. `ballast.console` prints these as tables in `ape console`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eth_abi import encode

from ballast import optionmath
from ballast.console_trading import HelperError, number
from ballast.errors import ManifestError
from ballast.manifest import Deployment, SeriesEntry
from ballast.options_risk import clamp_spot, position_payoff_down, position_value_down, unit_payoff

WAD = 10**18
BPS = 10_000
#: How far a trade without an explicit limit may move from its quote (a buyer pays at most, a seller gets at least).
DEFAULT_SLIPPAGE_BPS = 100
TRADE_TYPE = "(uint256,int256,int256)"  # IOptionsBookTypes.Trade(seriesId, delta, limitUsd)


def to_wad(amount: Decimal | float | int | str, what: str = "amount") -> int:
    """Whole units (or USD) to WAD, exactly for decimals and strings; a `HelperError` for what is no number."""
    return int(number(amount, what) * WAD)


def book_of(deployment: Deployment) -> Any:
    """The deployment's OptionsBook; ManifestError when it has none."""
    if deployment.options is None or deployment.manifest.options is None:
        raise ManifestError(
            f"the deployment on {deployment.manifest.network} has no OptionsBook (its config has no `options`)"
        )
    return deployment.options


def series_id(deployment: Deployment, ref: int | str) -> int:
    """A series by id or by its manifest name (`WETH-20261214T0516-3000-C`)."""
    book_of(deployment)
    assert deployment.manifest.options is not None
    return deployment.manifest.options.series_id(ref)


def series_name(deployment: Deployment, sid: int) -> str:
    """The manifest's name of a series, or `#<id>` for one listed after the deployment."""
    entries: list[SeriesEntry] = deployment.manifest.options.series if deployment.manifest.options else []
    return next((e.name for e in entries if e.id == sid), f"#{sid}")


# ---------------------------------------------------------------------------------------------------- the model


# The book's figures (values, payoffs) are `ballast.options_risk`'s, the bit-exact mirror of the contracts.


@dataclass(frozen=True)
class OptionPosition:
    """An account's position in one series, marked at the oracle's median: `mark` USD (negative: owed by the account),
    `delta` in units of the underlying, `vega` USD per 1.00 of implied volatility (all WAD)."""

    series_id: int
    name: str
    is_call: bool
    strike: int
    expiry: int
    size: int
    spot: int
    mark: int
    delta: int
    vega: int
    settled: bool


def option_positions(deployment: Deployment, account: Any, timestamp: int) -> list[OptionPosition]:
    """`account`'s positions in the book at `timestamp`: live ones marked at the median by the model (intrinsic at or
    after expiry), settled ones at their payoff."""
    book, oracle = book_of(deployment), deployment.oracle
    address = str(getattr(account, "address", account))
    out = []
    for sid in (int(i) for i in book.accountSeries(address)):
        s = book.series(sid)
        size = int(book.positionOf(address, sid))
        strike, is_call, expiry = int(s.strike), bool(s.isCall), int(s.expiry)
        if s.settled:
            price = int(s.settlementPrice)
            mark, delta, vega = position_payoff_down(size, unit_payoff(is_call, price, strike)), 0, 0
            spot = price
        else:
            spot = int(oracle.median(s.asset))
            sigma = int(book.impliedVol(s.asset))
            tau = optionmath.time_to_expiry(expiry, timestamp)
            clamped = clamp_spot(spot)
            mark = position_value_down(size, is_call, spot, strike, sigma, tau)
            unit_delta = (optionmath.call_delta if is_call else optionmath.put_delta)(
                clamped, strike, sigma, tau
            )
            delta = size * unit_delta // WAD
            vega = size * optionmath.vega(clamped, strike, sigma, tau) // WAD
        name = series_name(deployment, sid)
        out.append(
            OptionPosition(sid, name, is_call, strike, expiry, size, spot, mark, delta, vega, bool(s.settled))
        )
    return out


# ---------------------------------------------------------------------------------------------------- trading


@dataclass(frozen=True)
class Quote:
    """What a trade of `size` (WAD, negative: a sale) would move to the account now: `cash` USD WAD (negative: the
    premium paid), and the spread in bps."""

    series_id: int
    size: int
    cash: int
    spread_bps: int

    @property
    def unit_price(self) -> int:
        """USD per unit (WAD), what a buyer pays or a seller receives."""
        return abs(self.cash) * WAD // abs(self.size)


def quote(deployment: Deployment, series: int | str, size: Decimal | float | int | str) -> Quote:
    """The book's quote for trading `size` units (positive: buy, negative: sell)."""
    sid = series_id(deployment, series)
    delta = to_wad(size, "size")
    if delta == 0:
        raise HelperError("size must not be 0")
    cash, spread = book_of(deployment).quote(sid, delta)
    return Quote(sid, delta, int(cash), int(spread))


@dataclass(frozen=True)
class Traded:
    """A trade done: the size traded (WAD), the cash it moved to the account (USD WAD), the spread and the position
    after it."""

    series_id: int
    delta: int
    cash: int
    spread_bps: int
    size_after: int
    receipt: Any


def trade(deployment: Deployment, account: Any, sid: int, delta: int, limit_usd: int) -> Traded:
    """`delta` of series `sid` for `account` through `MarginEngine.tradeProduct`, moving at least `limit_usd` to it."""
    assert deployment.manifest.options is not None
    action = encode([TRADE_TYPE], [(sid, delta, limit_usd)])
    receipt = deployment.engine.tradeProduct(deployment.manifest.options.product, action, sender=account)
    (event,) = [e for e in receipt.decode_logs(book_of(deployment).OptionTraded) if int(e.seriesId) == sid]
    return Traded(sid, delta, int(event.cashUsd), int(event.spreadBps), int(event.sizeAfter), receipt)


def buy(
    deployment: Deployment,
    account: Any,
    series: int | str,
    size: Decimal | float | int | str,
    max_premium: Decimal | float | int | str | None = None,
) -> Traded:
    """Buy `size` units paying at most `max_premium` USD (default: the quote plus DEFAULT_SLIPPAGE_BPS)."""
    q = quote(deployment, series, size)
    if q.size <= 0:
        raise HelperError(f"buy a positive size (got {size}; sell to go short)")
    most = (
        to_wad(max_premium, "max_premium")
        if max_premium is not None
        else -q.cash * (BPS + DEFAULT_SLIPPAGE_BPS) // BPS
    )
    return trade(deployment, account, q.series_id, q.size, -most)


def sell(
    deployment: Deployment,
    account: Any,
    series: int | str,
    size: Decimal | float | int | str,
    min_proceeds: Decimal | float | int | str | None = None,
) -> Traded:
    """Sell `size` units (writing them when flat) for at least `min_proceeds` USD (default: the quote less
    DEFAULT_SLIPPAGE_BPS)."""
    q = quote(deployment, series, -number(size, "size"))
    if q.size >= 0:
        raise HelperError(f"sell a positive size (got {size}; buy to go long)")
    least = (
        to_wad(min_proceeds, "min_proceeds")
        if min_proceeds is not None
        else q.cash * (BPS - DEFAULT_SLIPPAGE_BPS) // BPS
    )
    return trade(deployment, account, q.series_id, q.size, least)


# ---------------------------------------------------------------------------------------------------- health


@dataclass(frozen=True)
class ProductFigures:
    """A margin product's figures for an account, as the engine adds them to its health (`IMarginProduct.AccountRisk`,
    USD WAD)."""

    product: int
    name: str
    maintenance_value: int
    maintenance_margin: int
    initial_value: int
    initial_margin: int
    stress_loss: int


def product_figures(deployment: Deployment, account: Any) -> list[ProductFigures]:
    """The figures of every margin product `account` holds (the engine's `accountProducts` mask)."""
    engine, project = deployment.engine, deployment.project
    address = str(getattr(account, "address", account))
    held = int(engine.accountProducts(address))
    out = []
    for i, product in enumerate(engine.marginProducts()):
        if not held >> i & 1:
            continue
        is_book = (
            deployment.options is not None and str(product).lower() == str(deployment.options.address).lower()
        )
        contract: Any = deployment.options if is_book else project.IMarginProduct.at(product)
        r = contract.accountRisk(address, False)
        out.append(
            ProductFigures(
                i,
                "options" if is_book else f"product {i}",
                int(r.maintenanceValue),
                int(r.maintenanceMargin),
                int(r.initialValue),
                int(r.initialMargin),
                int(r.stressLoss),
            )
        )
    return out
