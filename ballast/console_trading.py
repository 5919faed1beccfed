"""Trading a deployment in token units, for `ape console` (`ballast.console` prints what these return): LP deposits,
funding an account's margin, perp quotes, opening and closing positions, and moving a mock price.

Amounts are whole tokens (`1_000` USDC, `2.5` WETH), sizes whole units of a market's asset (`-0.5` is a 0.5 WETH
short), prices USD; the contracts take token units and WAD. Markets are named as the manifest names them
(`WETH-PERP`) or by id. Mock tokens are minted when an account holds too few of them (local configs' tokens).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from ape.exceptions import ContractLogicError
from ape.managers.chain import ChainManager
from eth_utils import is_address

from ballast.console_errors import decode_revert, revert_data
from ballast.errors import BallastError
from ballast.manifest import Deployment
from ballast.prices import restamp_and_update, settle_prices
from ballast.risk import BPS, WAD, div_up, mul_bps_up, notional_up

#: How far a trade may execute from its quote unless told otherwise (the price a buyer pays at most, a seller gets
#: at least).
DEFAULT_SLIPPAGE_BPS = 50
MAX_UINT = 2**256 - 1
Amount = Decimal | float | int | str


class HelperError(BallastError, ValueError):
    """A console helper cannot do what it was asked: an unknown market or asset, an amount, size or price that is no
    number or out of range, no account, nothing to close, a real token."""


def address_of(account: Any) -> str:
    """An account's address: an account object's, or a 0x address given as text."""
    address = getattr(account, "address", account)
    if not is_address(str(address)):
        raise HelperError(
            f"{account!r} is no account: give one (accounts[0], accounts.load(NAME)) or its 0x address"
        )
    return str(address)


def number(amount: Amount, what: str = "amount") -> Decimal:
    """`amount` as an exact Decimal (`0.1` is 0.1, not its float); a finite number or a `HelperError`."""
    try:
        value = Decimal(str(amount).strip().replace("_", ""))
    except (InvalidOperation, ValueError):
        raise HelperError(f"{what} {amount!r} is not a number") from None
    if not value.is_finite():
        raise HelperError(f"{what} {amount!r} is not a finite number")
    return value


def to_units(amount: Amount, decimals: int, what: str = "amount") -> int:
    """Whole tokens to token units, exactly for decimals and strings (`0.1` is 0.1, not its float); an amount no
    contract can take (more than 2^255 units) is a `HelperError`."""
    units = int((number(amount, what) * 10**decimals).to_integral_value(rounding=ROUND_DOWN))
    if abs(units) >= 2**255:
        raise HelperError(f"{what} {amount} is too large (over 2^255 units)")
    return units


def positive_units(amount: Amount, decimals: int, what: str = "amount") -> int:
    """`to_units` of an amount that must be above 0 (a deposit, a price)."""
    units = to_units(amount, decimals, what)
    if units <= 0:
        tiny = number(amount, what) > 0
        raise HelperError(
            f"{what} {amount} is below one unit of {decimals} decimals"
            if tiny
            else f"{what} must be positive (got {amount})"
        )
    return units


def decimals_of(deployment: Deployment, symbol: str) -> int:
    return int(deployment.manifest.config["tokens"][symbol]["decimals"])


def symbol_ref(deployment: Deployment, asset: Any) -> str:
    """A token by symbol (any case) or address, as its manifest symbol."""
    text = str(getattr(asset, "address", asset))
    for symbol, address in deployment.manifest.tokens.items():
        if text.upper() == symbol.upper() or text.lower() == address.lower():
            return symbol
    raise HelperError(
        f"no token {text!r} in this deployment (tokens: {', '.join(deployment.manifest.tokens)})"
    )


def market_ref(deployment: Deployment, market: int | str) -> tuple[int, str]:
    """A market by manifest name (`WETH-PERP`, any case) or id, as (id, name)."""
    markets = deployment.manifest.markets
    if isinstance(market, int) or str(market).isdigit():
        for name, mid in markets.items():
            if mid == int(market):
                return mid, name
    else:
        for name, mid in markets.items():
            if name.upper() == str(market).upper():
                return mid, name
    raise HelperError(
        f"no market {market!r} (markets: {', '.join(f'{n} ({i})' for n, i in markets.items())})"
    )


def _ensure_balance(deployment: Deployment, symbol: str, account: Any, units: int) -> bool:
    """Mint the shortfall of a mock token to `account`; True when it minted."""
    token = deployment.tokens[symbol]
    held = int(token.balanceOf(address_of(account)))
    if held >= units:
        return False
    kind = deployment.manifest.config["tokens"][symbol].get("kind", "")
    if not str(kind).startswith("mock"):
        raise HelperError(
            f"{address_of(account)} holds {held} units of {symbol}, needs {units}; it is no mock token"
        )
    token.mint(address_of(account), units - held, sender=account)
    return True


def _approve(deployment: Deployment, symbol: str, account: Any, spender: Any, units: int) -> None:
    token = deployment.tokens[symbol]
    if int(token.allowance(address_of(account), address_of(spender))) < units:
        token.approve(spender, MAX_UINT, sender=account)


@dataclass(frozen=True)
class LpDeposit:
    """An LP deposit: the asset, the token units put in and the Pool shares received."""

    symbol: str
    units: int
    shares: int
    minted: bool


def lp_deposit(deployment: Deployment, amount: Amount, account: Any, asset: str | None = None) -> LpDeposit:
    """Deposit `amount` whole tokens of `asset` (the settlement asset by default) into the Pool for `account`,
    minting the mock tokens it lacks."""
    symbol = symbol_ref(deployment, asset or deployment.manifest.settlement_symbol)
    units = positive_units(amount, decimals_of(deployment, symbol))
    minted = _ensure_balance(deployment, symbol, account, units)
    _approve(deployment, symbol, account, deployment.pool, units)
    before = int(deployment.pool.balanceOf(address_of(account)))
    deployment.pool.deposit(deployment.tokens[symbol], units, 0, address_of(account), sender=account)
    return LpDeposit(symbol, units, int(deployment.pool.balanceOf(address_of(account))) - before, minted)


@dataclass(frozen=True)
class Funded:
    """Margin put into the engine: the asset, the token units, and whether it is cash (the settlement asset)."""

    symbol: str
    units: int
    cash: bool
    minted: bool


def fund(deployment: Deployment, account: Any, asset: str, amount: Amount) -> Funded:
    """Deposit `amount` whole tokens of `asset` into the engine for `account` (the settlement asset as cash, any
    other listed collateral as collateral), minting the mock tokens it lacks and approving the engine."""
    symbol = symbol_ref(deployment, asset)
    settlement = deployment.manifest.settlement_symbol
    if symbol != settlement and symbol not in deployment.manifest.config.get("collateral", {}):
        listed = ", ".join([settlement, *deployment.manifest.config.get("collateral", {})])
        raise HelperError(f"{symbol} is no collateral of this engine (deposit one of: {listed})")
    units = positive_units(amount, decimals_of(deployment, symbol))
    minted = _ensure_balance(deployment, symbol, account, units)
    _approve(deployment, symbol, account, deployment.engine, units)
    deployment.engine.deposit(deployment.tokens[symbol], units, address_of(account), sender=account)
    return Funded(symbol, units, symbol == settlement, minted)


# ---------------------------------------------------------------------------------------------------- perps


@dataclass(frozen=True)
class PerpQuote:
    """What `modifyPosition(market, size, acceptable_price)` would do now: the execution price (the oracle's worse
    of median and TWAP for the trader), the notional, the trading fee and the initial margin the trade itself adds
    (USD WAD), the acceptable price with slippage, and whether it adds risk (opens or grows a position)."""

    market: int
    name: str
    size: int
    price: int
    acceptable_price: int
    notional: int
    fee: int
    initial_margin: int
    adds_risk: bool
    position_before: int
    #: With an account: None when the trade would go through now, else the error it would revert with (decoded).
    refusal: str | None = None


def perp_quote(
    deployment: Deployment,
    market: int | str,
    size: Amount,
    account: Any = None,
    slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
) -> PerpQuote:
    """The quote of a trade of `size` whole units (positive: buy, negative: sell) on `market`, for `account` (whose
    position decides whether the trade adds risk; a new position without one)."""
    mid, name = market_ref(deployment, market)
    delta = to_units(size, 18, "size")
    if delta == 0:
        raise HelperError("size must not be 0")
    engine, oracle = deployment.engine, deployment.oracle
    params = engine.marketParams(mid)
    before = int(engine.position(address_of(account), mid).size) if account is not None else 0
    after = before + delta
    adds_risk = abs(after) > abs(before) or (before != 0 and after != 0 and (before > 0) != (after > 0))
    buying = delta > 0
    # The engine's `_executionPrice`: a buyer pays the higher price, a seller gets the lower one.
    price_of = oracle.priceForRisk if adds_risk else oracle.priceForReduce
    price = int(price_of(params.asset, not buying))
    # A buyer accepts up to `slippage_bps` more, a seller as much less.
    up, down = div_up(price * (BPS + slippage_bps), BPS), price * (BPS - slippage_bps) // BPS
    acceptable = up if buying else down
    notional = notional_up(delta, price)
    refusal = None
    if account is not None:
        # A dry run of the trade (an eth_call from the account): what the engine would say now.
        try:
            engine.modifyPosition.call(mid, delta, up if buying else down, sender=account)
        except ContractLogicError as err:
            data = revert_data(err)
            refusal = (decode_revert(data) if data else None) or str(err) or "reverted"
    return PerpQuote(
        market=mid,
        name=name,
        size=delta,
        price=price,
        acceptable_price=acceptable,
        notional=notional,
        fee=mul_bps_up(notional, int(params.tradingFeeBps)),
        initial_margin=mul_bps_up(notional, int(params.initialMarginBps)) if adds_risk else 0,
        adds_risk=adds_risk,
        position_before=before,
        refusal=refusal,
    )


@dataclass(frozen=True)
class PerpTrade:
    """A trade done (the engine's `PositionModified`): size traded and after it (WAD), execution price and realized
    PnL (USD WAD), and the fee (settlement token units)."""

    market: int
    name: str
    size: int
    size_after: int
    price: int
    realized_pnl: int
    fee: int
    receipt: Any


def modify(
    deployment: Deployment,
    market: int | str,
    size: Amount,
    account: Any,
    slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
    acceptable_price: Amount | None = None,
) -> PerpTrade:
    """Trade `size` whole units on `market` for `account` at the oracle's price, accepting at most `slippage_bps`
    worse (or `acceptable_price` USD)."""
    q = perp_quote(deployment, market, size, account, slippage_bps)
    limit = (
        q.acceptable_price
        if acceptable_price is None
        else positive_units(acceptable_price, 18, "acceptable_price")
    )
    receipt = deployment.engine.modifyPosition(q.market, q.size, limit, sender=account)
    events = [e for e in receipt.decode_logs(deployment.engine.PositionModified) if int(e.market) == q.market]
    e = events[-1]
    return PerpTrade(
        q.market, q.name, int(e.sizeDelta), int(e.sizeAfter), int(e.executionPrice), int(e.realizedPnl),
        int(e.fee), receipt,
    )  # fmt: skip


def open_position(
    deployment: Deployment,
    market: int | str,
    size: Amount,
    account: Any,
    slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
    acceptable_price: Amount | None = None,
) -> PerpTrade:
    """Open (or add to, or reduce) a position of `size` whole units: positive long, negative short."""
    return modify(deployment, market, size, account, slippage_bps, acceptable_price)


def close(
    deployment: Deployment, market: int | str, account: Any, slippage_bps: int = DEFAULT_SLIPPAGE_BPS
) -> PerpTrade:
    """Close `account`'s whole position on `market`."""
    mid, name = market_ref(deployment, market)
    size = int(deployment.engine.position(address_of(account), mid).size)
    if size == 0:
        raise HelperError(f"{address_of(account)} has no position on {name}")
    return modify(deployment, mid, Decimal(-size) / WAD, account, slippage_bps)


# ---------------------------------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class PriceSet:
    """A mock price moved: the asset, the new price (USD WAD), the oracle's median, TWAP and status after it."""

    symbol: str
    price: int
    median: int
    twap: int
    status: int


def set_price(
    deployment: Deployment,
    chain: ChainManager,
    asset: str,
    usd: Amount,
    sender: Any,
    settle: bool = True,
) -> PriceSet:
    """Set every mock feed of `asset` to `usd` and update the oracle. With `settle` (the default) the chain's clock
    moves on until the TWAP has caught up (status Ok again, about two TWAP windows), and every other asset's feeds
    are restamped and updated so that no price goes stale meanwhile; without it the TWAP lags (status Deviated on
    a large move). Local chains only: mock feeds take any answer from anyone."""
    symbol = symbol_ref(deployment, asset)
    entries = deployment.manifest.feeds.get(symbol, [])
    if not entries or any(e.kind != "mock" for e in entries):
        raise HelperError(f"{symbol} is not priced by mock feeds only: its price moves with its real sources")
    feeds = deployment.feeds[symbol]
    # A broken answer (0, negative) is for a test to set on one feed itself: feeds[SYMBOL][i].setAnswer(...).
    answers = [positive_units(usd, entry.decimals, "price") for entry in entries]
    for answer, feed in zip(answers, feeds, strict=True):
        feed.setAnswer(answer, sender=sender)
    token = deployment.tokens[symbol]
    oracle = deployment.oracle
    if settle:
        window = int(oracle.getAssetConfig(token)[4])  # AssetConfig.twapWindow
        settle_prices(chain, oracle, {token: feeds}, window, sender)
        others = {
            deployment.tokens[s]: deployment.feeds[s]
            for s in deployment.manifest.feeds
            if s != symbol and all(e.kind == "mock" for e in deployment.manifest.feeds[s])
        }
        restamp_and_update(oracle, others, sender)
    else:
        oracle.update(token, sender=sender)
    median, twap, status, _ = oracle.getPriceData(token)
    return PriceSet(symbol, to_units(usd, 18), int(median), int(twap), int(status))
