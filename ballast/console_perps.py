"""The console's trading helpers in token units: `lp_deposit`, `fund`, `perp_quote` / `quote`, `open_position`,
`close`, `set_price` and `why_unhealthy`. Each returns its result as a `Shown`: the console displays it as one line
in words (its `repr`), and its fields are the result's (`ballast.console_trading`, `ballast.console_margin`).
`why_unhealthy` also prints its table. `ballast.console` binds these to the connected deployment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Generic, TypeVar

from ape.logging import LogLevel, logger
from ape.managers.chain import ChainManager
from rich.console import Console
from rich.table import Table

from ballast import console_trading as trading
from ballast.console_errors import usd_text as usd
from ballast.console_margin import Diagnosis, diagnose
from ballast.manifest import Deployment
from ballast.risk import BPS, STATUS_NAMES, WAD

T = TypeVar("T")


class Shown(Generic[T]):
    """A helper's result as the console shows it: `repr` is the sentence, attributes are `value`'s."""

    def __init__(self, value: T, text: str) -> None:
        self.value = value
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __getattr__(self, name: str) -> Any:
        return getattr(self.value, name)


@contextmanager
def _quiet() -> Iterator[None]:
    """ape's `Confirmed 0x...` line per transaction off: a helper shows one line for all it sent."""
    with logger.at_level(LogLevel.WARNING):
        yield


def _units(units: int, decimals: int) -> str:
    value = Decimal(units) / 10**decimals
    return f"{value:,.{min(decimals, 4)}f}"


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def lp_deposit(
    deployment: Deployment,
    amount: trading.Amount,
    account: Any,
    asset: str | None = None,
    *,
    console: Console,
) -> Shown[trading.LpDeposit]:
    """Deposit `amount` whole tokens (the settlement asset unless `asset`) into the Pool as `account`'s liquidity."""
    with _quiet():
        d = trading.lp_deposit(deployment, amount, account, asset)
    minted = " (minted)" if d.minted else ""
    text = (
        f"LP {_short(trading.address_of(account))}: deposited {_units(d.units, trading.decimals_of(deployment, d.symbol))}"
        f" {d.symbol}{minted} into the Pool for {_units(d.shares, 18)} shares"
    )
    return Shown(d, text)


def fund(
    deployment: Deployment, account: Any, asset: str, amount: trading.Amount, *, console: Console
) -> Shown[trading.Funded]:
    """Deposit `amount` whole tokens of `asset` into the engine as `account`'s margin (mint + approve + deposit)."""
    with _quiet():
        f = trading.fund(deployment, account, asset, amount)
    kind = "cash" if f.cash else "collateral"
    minted = " (minted)" if f.minted else ""
    text = (
        f"{_short(trading.address_of(account))}: deposited {_units(f.units, trading.decimals_of(deployment, f.symbol))} "
        f"{f.symbol}{minted} into the engine as {kind}"
    )
    return Shown(f, text)


def perp_quote(
    deployment: Deployment,
    market: int | str,
    size: trading.Amount,
    account: Any = None,
    slippage_bps: int = trading.DEFAULT_SLIPPAGE_BPS,
    *,
    console: Console,
) -> Shown[trading.PerpQuote]:
    """The price, fee and initial margin of trading `size` whole units on `market` now (negative: sell)."""
    q = trading.perp_quote(deployment, market, size, account, slippage_bps)
    side = "buy" if q.size > 0 else "sell"
    margin = f", initial margin {usd(q.initial_margin)}" if q.adds_risk else " (reduces: no margin added)"
    verdict = ""
    if account is not None:
        verdict = "; it would go through now" if q.refusal is None else f"; it would revert now: {q.refusal}"
    text = (
        f"{side} {_units(abs(q.size), 18)} {q.name} at {usd(q.price)}: notional {usd(q.notional)}, fee {usd(q.fee)}"
        f"{margin}; acceptable price {usd(q.acceptable_price)} ({slippage_bps} bps){verdict}"
    )
    return Shown(q, text)


def quote(
    deployment: Deployment, ref: int | str, size: trading.Amount, *args: Any, console: Console, **kwargs: Any
) -> Any:
    """One `quote` for perps and options: a market name (`"WETH-PERP"`) gives `perp_quote`, an options series name
    (`"WETH-20261214T0516-3000-C"`) `option_quote`. A number keeps the meaning `quote` has always had: a series id
    of the deployment's OptionsBook (`quote(1, -2)`); with no such series, a market id. `perp_quote(0, ...)` quotes
    a market by id whatever the book lists."""
    from ballast.console import quote as option_quote

    markets = deployment.manifest.markets
    series = deployment.manifest.options.series if deployment.manifest.options else []
    if isinstance(ref, str) and not ref.isdigit():
        if any(ref.upper() == name.upper() for name in markets):
            return perp_quote(deployment, ref, size, *args, console=console, **kwargs)
        if any(ref == s.name for s in series):
            return option_quote(deployment, ref, size, console=console)
        names = [*markets, *(s.name for s in series)]
        raise trading.HelperError(f"no market or options series {ref!r} (try one of: {', '.join(names)})")
    if any(s.id == int(ref) for s in series):
        if args or kwargs:
            raise trading.HelperError(
                f"{ref} is an options series id: quote(series, size) takes no account; perp_quote({ref}, ...) "
                "quotes the market with that id"
            )
        return option_quote(deployment, int(ref), size, console=console)
    return perp_quote(deployment, int(ref), size, *args, console=console, **kwargs)


def _traded(
    deployment: Deployment, console: Console, account: Any, t: trading.PerpTrade, asset: str
) -> Shown[trading.PerpTrade]:
    side = "bought" if t.size > 0 else "sold"
    after = (
        "flat"
        if t.size_after == 0
        else f"{'long' if t.size_after > 0 else 'short'} {_units(abs(t.size_after), 18)} {asset}"
    )
    pnl = f", realized PnL {usd(t.realized_pnl)}" if t.realized_pnl else ""
    settlement = deployment.manifest.settlement_symbol
    text = (
        f"{_short(trading.address_of(account))} {side} {_units(abs(t.size), 18)} {t.name} at {usd(t.price)}, fee "
        f"{_units(t.fee, trading.decimals_of(deployment, settlement))} {settlement}{pnl}; position now {after}"
    )
    return Shown(t, text)


def _asset_of(deployment: Deployment, market: int) -> str:
    return deployment.symbol_of(deployment.engine.marketParams(market).asset)


def open_position(
    deployment: Deployment,
    market: int | str,
    size: trading.Amount,
    account: Any,
    slippage_bps: int = trading.DEFAULT_SLIPPAGE_BPS,
    acceptable_price: trading.Amount | None = None,
    *,
    console: Console,
) -> Shown[trading.PerpTrade]:
    """Trade `size` whole units on `market` (positive long, negative short) at the oracle's price, accepting at most
    `slippage_bps` worse (or `acceptable_price` USD)."""
    with _quiet():
        t = trading.open_position(deployment, market, size, account, slippage_bps, acceptable_price)
    return _traded(deployment, console, account, t, _asset_of(deployment, t.market))


def close(
    deployment: Deployment,
    market: int | str,
    account: Any,
    slippage_bps: int = trading.DEFAULT_SLIPPAGE_BPS,
    *,
    console: Console,
) -> Shown[trading.PerpTrade]:
    """Close `account`'s whole position on `market`."""
    with _quiet():
        t = trading.close(deployment, market, account, slippage_bps)
    return _traded(deployment, console, account, t, _asset_of(deployment, t.market))


def set_price(
    deployment: Deployment,
    chain: ChainManager,
    asset: str,
    usd_price: trading.Amount,
    settle: bool = True,
    *,
    sender: Any,
    console: Console,
) -> Shown[trading.PriceSet]:
    """Move a mock-fed asset to `usd_price` (local chains); with `settle` let its TWAP catch up (status Ok)."""
    if sender is None:
        raise trading.HelperError(
            "set_price needs a sender off local networks: set_price(asset, usd, sender=ACCOUNT)"
        )
    with _quiet():
        p = trading.set_price(deployment, chain, asset, usd_price, sender, settle)
    text = (
        f"{p.symbol}: feeds at {usd(p.price)}; oracle median {usd(p.median)}, TWAP {usd(p.twap)}, "
        f"status {STATUS_NAMES[p.status]}"
    )
    return Shown(p, text)


def why_unhealthy(
    deployment: Deployment, chain: ChainManager, account: Any, *, console: Console
) -> Shown[Diagnosis]:
    """Why `account` is or is not liquidatable: a table of every term of its maintenance health (collateral after
    haircuts, cash, positions' PnL and margins, margin products), the shortfall, and what would clear it."""
    d = diagnose(deployment, chain, account)
    h = d.health
    table = Table(title=f"maintenance health of {d.account} (block {d.block})")
    table.add_column("term", no_wrap=True)
    table.add_column("detail")
    table.add_column("equity", justify="right", no_wrap=True)
    table.add_column("requirement", justify="right", no_wrap=True)
    for c in d.collateral:
        detail = f"{_units(c.units, c.decimals)} at {usd(c.price)} = {usd(c.value)}, haircut {c.haircut_bps / 100:g} %"
        table.add_row(f"collateral {c.symbol}", detail, usd(c.counted), "")
    if d.cash:
        table.add_row("cash", "credit less debt", usd(d.cash), "")
    for p in d.positions:
        side = "long" if p.size > 0 else "short"
        fee = f", borrow fee {usd(p.borrow_fee)}" if p.borrow_fee else ""
        detail = (
            f"{side} {_units(abs(p.size), 18)} from {usd(p.entry)} at {usd(p.price)}{fee}; margin "
            f"{p.margin_bps / 100:g} % of {usd(p.notional)}"
        )
        table.add_row(p.name, detail, usd(p.pnl), usd(p.margin))
    for k, value, margin in d.products:
        table.add_row(f"margin product {k}", "its maintenance value and margin", usd(value), usd(margin))
    table.add_row("total", "", usd(h.maintenance_equity), usd(h.maintenance_margin), style="bold")
    console.print(table)
    lines = []
    if h.liquidatable:
        lines.append(
            f"LIQUIDATABLE: maintenance equity {usd(h.maintenance_equity)} is below the requirement "
            f"{usd(h.maintenance_margin)}; shortfall {usd(d.shortfall)}.",
        )
        if d.fixes:
            lines.append("To clear it: " + "; or ".join(f.what for f in d.fixes) + ".")
        if d.blockers:
            lines.append(f"A liquidation waits for a usable price of {', '.join(d.blockers)}.")
        else:
            lines.append("Anyone may liquidate it now: liquidator.liquidate(account, sender=keeper).")
    else:
        cushion = -d.shortfall
        lines.append(
            f"healthy: maintenance equity {usd(h.maintenance_equity)} covers the requirement "
            f"{usd(h.maintenance_margin)} with {usd(cushion)} to spare.",
        )
        for p in d.positions:
            # The price of this market's asset at which the cushion is used up, every other price held: the
            # position's PnL and the same asset's collateral (after its haircut) move with it, and so does the
            # position's margin (down with a long's falling price, up with a short's rising one).
            asset = deployment.symbol_of(deployment.engine.marketParams(p.market).asset)
            held = sum(
                c.units * 10 ** (18 - c.decimals) * (BPS - c.haircut_bps) // BPS
                for c in d.collateral
                if c.symbol == asset
            )
            if p.size > 0:
                per_unit = p.size + held - p.size * p.margin_bps // BPS
            else:
                per_unit = -p.size - held - p.size * p.margin_bps // BPS
            if per_unit <= 0:
                continue
            move = cushion * WAD // per_unit
            edge = max(p.price - move, 0) if p.size > 0 else p.price + move
            way = "falls" if p.size > 0 else "rises"
            lines.append(
                f"  {p.name}: liquidatable if {asset} {way} to about {usd(edge)} (other prices held)."
            )
    return Shown(d, "\n".join(lines))
