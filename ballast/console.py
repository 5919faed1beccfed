"""What `ape console` gets from ape_console_extras.py: the deployment of the connected network (pool, engine,
oracle, insurance, liquidator, timelock, onboarding, tokens, options_book) and `health(account)`,
`positions(account)`, `prices()` printing tables; the trading helpers in token units of `ballast.console_perps`
(`lp_deposit`, `fund`, `quote` / `perp_quote`, `open_position`, `close`, `set_price`, `why_unhealthy`); with an
OptionsBook also `option_quote(series, size)` (`quote` takes a series by name or id too), `buy(account, series, size,
max_premium=None)`, `sell(account, series, size, min_proceeds=None)` and `options(account)` (the logic is
`ballast.options`); and `traces(on)`, the switch of ape's call traces on failures (`ballast.console_hooks`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from rich.console import Console
from rich.table import Table

from ballast import console_hooks
from ballast import console_perps as perps
from ballast import options as opt
from ballast.console_errors import label_addresses
from ballast.console_trading import address_of
from ballast.errors import ManifestError
from ballast.manifest import Deployment
from ballast.risk import STATUS_NAMES

WAD = 10**18


def usd(wad: int) -> str:
    """USD from a WAD, signed: 4 decimals below $10, else cents."""
    value = Decimal(int(wad)) / WAD
    text = f"${abs(value):,.4f}" if abs(value) < 10 else f"${abs(value):,.2f}"
    return f"-{text}" if value < 0 else text


def amount(units: int, decimals: int) -> str:
    return f"{Decimal(int(units)) / 10**decimals:,.{min(decimals, 6)}f}"


def _address(account: Any) -> str:
    return address_of(account)


def prices(deployment: Deployment, chain: ChainManager, console: Console) -> None:
    """The oracle's stored median, TWAP and status of every asset, with each source's answer."""
    oracle = deployment.oracle
    now = chain.pending_timestamp
    table = Table(title=f"oracle prices on {deployment.manifest.network}")
    for column, justify in (
        ("asset", "left"),
        ("median", "right"),
        ("TWAP", "right"),
        ("status", "left"),
        ("sources", "right"),
        ("updated", "right"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for symbol, token in deployment.tokens.items():
        if symbol not in deployment.manifest.feeds:
            continue
        median, twap, status, updated_at = oracle.getPriceData(token)
        answers = []
        for entry, feed in zip(deployment.manifest.feeds[symbol], deployment.feeds[symbol], strict=True):
            answer = feed.latestRoundData()[1]
            answers.append(f"{Decimal(int(answer)) / 10**entry.decimals:,.4f}")
        age = f"{now - int(updated_at)} s ago" if int(updated_at) else "never"
        table.add_row(symbol, usd(median), usd(twap), STATUS_NAMES[int(status)], " / ".join(answers), age)
    console.print(table)


def health(deployment: Deployment, account: Any, console: Console) -> None:
    """An account's margin (maintenance and initial equity and requirement, stress equity: one health over its
    collateral, cash, perps and margin products), cash, collateral, and each margin product's part of it."""
    engine, address = deployment.engine, _address(account)
    h = engine.health(address)
    table = Table(title=f"health of {address}")
    table.add_column("measure")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_row("maintenance equity", usd(h.maintenanceEquity))
    table.add_row("maintenance margin", usd(h.maintenanceMargin))
    table.add_row("initial equity", usd(h.initialEquity))
    table.add_row("initial margin", usd(h.initialMargin))
    table.add_row("stress equity", usd(h.stressEquity))
    table.add_row("liquidatable", "yes" if h.liquidatable else "no")
    settle = deployment.manifest.settlement_symbol
    decimals = int(deployment.manifest.config["tokens"][settle]["decimals"])
    credit, _, debt = engine.cash(address)
    table.add_row(f"cash credit / debt ({settle})", f"{amount(credit, decimals)} / {amount(debt, decimals)}")
    for asset in engine.collateralAssets():
        balance = int(engine.collateralBalance(address, asset))
        if balance:
            symbol = deployment.symbol_of(asset)
            token_decimals = int(deployment.manifest.config["tokens"][symbol]["decimals"])
            table.add_row(f"collateral {symbol}", amount(balance, token_decimals))
    for f in opt.product_figures(deployment, address):
        table.add_row(f"{f.name}: maintenance value", usd(f.maintenance_value))
        table.add_row(f"{f.name}: maintenance margin", usd(f.maintenance_margin))
        table.add_row(f"{f.name}: initial value", usd(f.initial_value))
        table.add_row(f"{f.name}: initial margin", usd(f.initial_margin))
        table.add_row(f"{f.name}: stress loss", usd(f.stress_loss))
    console.print(table)


def positions(deployment: Deployment, account: Any, console: Console) -> None:
    """An account's open perpetual positions, valued at the oracle's median."""
    engine, address = deployment.engine, _address(account)
    table = Table(title=f"positions of {address}")
    for column in ("market", "side", "size", "entry", "median", "unrealized PnL"):
        table.add_column(column, justify="left" if column in ("market", "side") else "right", no_wrap=True)
    open_positions = 0
    for name, market in deployment.manifest.markets.items():
        p = engine.position(address, market)
        size = int(p.size)
        if size == 0:
            continue
        open_positions += 1
        asset = engine.marketParams(market).asset
        median = int(deployment.oracle.median(asset))
        pnl = size * (median - int(p.entryPrice)) // WAD
        side = "long" if size > 0 else "short"
        table.add_row(name, side, amount(abs(size), 18), usd(p.entryPrice), usd(median), usd(pnl))
    if open_positions == 0:
        console.print(f"{address} has no open positions")
        return
    console.print(table)


def _expiry(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M")


def quote(
    deployment: Deployment, series: int | str, size: Decimal | float | int | str, console: Console
) -> opt.Quote:
    """The book's quote for `size` units of a series (negative: a sale), printed as one line."""
    q = opt.quote(deployment, series, size)
    side, what = ("buy", "premium") if q.size > 0 else ("sell", "proceeds")
    console.print(
        f"{side} {amount(abs(q.size), 18)} {opt.series_name(deployment, q.series_id)}: {what} {usd(abs(q.cash))} "
        f"({usd(q.unit_price)} per unit, spread {q.spread_bps} bps)",
        soft_wrap=True,
        highlight=False,
    )
    return q


def _traded(deployment: Deployment, t: opt.Traded, console: Console) -> opt.Traded:
    side = "bought" if t.delta > 0 else "sold"
    console.print(
        f"{side} {amount(abs(t.delta), 18)} {opt.series_name(deployment, t.series_id)}: cash {usd(t.cash)}, "
        f"spread {t.spread_bps} bps, position {amount(t.size_after, 18)}",
        soft_wrap=True,
        highlight=False,
    )
    return t


def buy(
    deployment: Deployment,
    account: Any,
    series: int | str,
    size: Decimal | float | int | str,
    max_premium: Decimal | float | int | str | None = None,
    *,
    console: Console,
) -> opt.Traded:
    """Buy `size` units of a series, paying at most `max_premium` USD (default: the quote plus 1 %)."""
    return _traded(deployment, opt.buy(deployment, account, series, size, max_premium), console)


def sell(
    deployment: Deployment,
    account: Any,
    series: int | str,
    size: Decimal | float | int | str,
    min_proceeds: Decimal | float | int | str | None = None,
    *,
    console: Console,
) -> opt.Traded:
    """Sell (write, when flat) `size` units of a series for at least `min_proceeds` USD (default: the quote less
    1 %)."""
    return _traded(deployment, opt.sell(deployment, account, series, size, min_proceeds), console)


def options(
    deployment: Deployment, chain: ChainManager, account: Any, console: Console
) -> list[opt.OptionPosition]:
    """An account's options: per series its size, mark value at the oracle's median, delta (units of the underlying)
    and vega (USD per 1.00 of implied volatility), and their totals."""
    address = _address(account)
    held = opt.option_positions(deployment, address, int(chain.blocks.head.timestamp))
    if not held:
        console.print(f"{address} holds no options")
        return held
    table = Table(title=f"options of {address}")
    for column in ("series", "type", "strike", "expiry (UTC)", "size", "spot", "mark", "delta", "vega"):
        table.add_column(column, justify="left" if column in ("series", "type") else "right", no_wrap=True)
    for p in held:
        kind = ("call" if p.is_call else "put") + (" (settled)" if p.settled else "")
        table.add_row(
            p.name, kind, usd(p.strike), _expiry(p.expiry), amount(p.size, 18), usd(p.spot), usd(p.mark),
            amount(p.delta, 18), usd(p.vega),
        )  # fmt: skip
    table.add_row(
        "total", "", "", "", "", "", usd(sum(p.mark for p in held)), amount(sum(p.delta for p in held), 18),
        usd(sum(p.vega for p in held)),
    )  # fmt: skip
    console.print(table)
    return held


def _no_deployment(message: str) -> Callable[..., None]:
    def helper(*args: Any, **kwargs: Any) -> None:
        print(message)

    return helper


def _chain_key(chain: ChainManager) -> tuple[int, str]:
    """The connection and chain the console was opened on (its provider and the hash of its first block)."""
    return id(chain.provider), str(chain.blocks[0].hash)


def _register_contract_types(chain: ChainManager, deployment: Deployment, key: tuple[int, str]) -> None:
    """Tell ape the contract type at each address of the deployment (the MarginEngine and the Pool with the whole API
    their fallbacks serve), so that its traces name them; only on the chain the console was opened on."""
    if _chain_key(chain) != key:
        return
    instances = [
        deployment.oracle, deployment.pool, deployment.engine, deployment.liquidator, deployment.insurance,
        deployment.lock, deployment.timelock, deployment.onboarding, deployment.options, *deployment.tokens.values(),
    ]  # fmt: skip
    for instance in instances:
        if instance is not None:
            chain.contracts[instance.address] = instance.contract_type


#: The helpers bound to a deployment (each prints how to deploy when there is none).
HELPERS = (
    "health", "positions", "prices", "quote", "perp_quote", "option_quote", "buy", "sell", "options", "lp_deposit",
    "fund", "open_position", "close", "set_price", "why_unhealthy",
)  # fmt: skip


def init_console(
    chain: ChainManager,
    project: ProjectManager,
    root: Path | str | None = None,
    console: Console | None = None,
    install_hooks: bool = False,
    price_sender: Any = None,
) -> dict[str, Any]:
    """The names `ape console` gets: the deployment's contracts and the helpers. Without a usable manifest for the
    connected network, one line says how to deploy and the names are None. `install_hooks`: report failures in one
    line and turn call traces off (`ballast.console_hooks`; what `ape console` does). `price_sender`: who sends
    `set_price`'s feed answers and oracle updates (ape's first test account by default)."""
    console = console or Console()
    if install_hooks:
        console_hooks.install(console)
    network = chain.provider.network
    choice = f"{network.ecosystem.name}:{network.name}"
    try:
        deployment = Deployment.load(project, network.name, root, chain)
    except ManifestError as err:  # its message ends with what to run (`ballast.manifest.how_to_deploy`)
        message = f"ballast: no usable deployment for {choice}: {err}"
        console.print(message, soft_wrap=True, highlight=False)
        helper = _no_deployment(message)
        names: dict[str, Any] = dict.fromkeys(
            (
                "deployment",
                "pool",
                "engine",
                "oracle",
                "insurance",
                "liquidator",
                "timelock",
                "onboarding",
                "options_book",
            ),
            None,
        )
        helpers = dict.fromkeys(HELPERS, helper)
        return {**names, "tokens": {}, "feeds": {}, **helpers, "traces": console_hooks.traces}
    m = deployment.manifest
    label_addresses({**m.contracts, **m.tokens})
    if install_hooks:
        console_hooks.when_traces_on(partial(_register_contract_types, chain, deployment, _chain_key(chain)))
    with_options = (
        "; options_book, quote(series, size), buy(account, series, size), sell(account, series, size), "
        "options(account), option_quote(series, size)"
        if deployment.options is not None
        else ""
    )
    console.print(
        f"ballast on {choice} (chain {m.chain_id}, deployed at block {m.block}): pool, engine, oracle, insurance, "
        f"liquidator, timelock, onboarding, tokens, feeds; health(account), positions(account), prices(), "
        f"why_unhealthy(account); lp_deposit(amount, account), fund(account, asset, amount), "
        f"quote(market, size, account), open_position(market, size, account), close(market, account), "
        f"set_price(asset, usd){with_options}; traces(True) shows call traces on failures "
        f"(docs/walkthrough.md)",
        soft_wrap=True,
        highlight=False,
    )
    if deployment.options is None:
        no_options = _no_deployment(
            f"ballast: the deployment on {choice} has no OptionsBook (no `options` in its config)"
        )
        option_helpers: dict[str, Any] = dict.fromkeys(("option_quote", "buy", "sell", "options"), no_options)
    else:
        option_helpers = {
            "option_quote": partial(quote, deployment, console=console),
            "buy": partial(buy, deployment, console=console),
            "sell": partial(sell, deployment, console=console),
            "options": partial(options, deployment, chain, console=console),
        }
    if price_sender is None and chain.provider.network.is_local:
        from ape import accounts

        price_sender = accounts.test_accounts[0]
    trading_helpers = {
        "lp_deposit": partial(perps.lp_deposit, deployment, console=console),
        "fund": partial(perps.fund, deployment, console=console),
        "quote": partial(perps.quote, deployment, console=console),
        "perp_quote": partial(perps.perp_quote, deployment, console=console),
        "open_position": partial(perps.open_position, deployment, console=console),
        "close": partial(perps.close, deployment, console=console),
        "set_price": partial(perps.set_price, deployment, chain, sender=price_sender, console=console),
        "why_unhealthy": partial(perps.why_unhealthy, deployment, chain, console=console),
    }
    return {
        "deployment": deployment,
        "pool": deployment.pool,
        "engine": deployment.engine,
        "oracle": deployment.oracle,
        "insurance": deployment.insurance,
        "liquidator": deployment.liquidator,
        "timelock": deployment.timelock,
        "onboarding": deployment.onboarding,
        "tokens": deployment.tokens,
        "feeds": deployment.feeds,
        "health": partial(health, deployment, console=console),
        "positions": partial(positions, deployment, console=console),
        "prices": partial(prices, deployment, chain, console),
        "options_book": deployment.options,
        **option_helpers,
        **trading_helpers,
        "traces": console_hooks.traces,
    }
