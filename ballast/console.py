"""What `ape console` gets from ape_console_extras.py: the deployment of the connected network (pool, engine,
oracle, insurance, liquidator, tokens) and `health(account)`, `positions(account)`, `prices()` printing tables."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from rich.console import Console
from rich.table import Table

from ballast.errors import ManifestError
from ballast.manifest import Deployment, manifest_path
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
    return str(getattr(account, "address", account))


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
    """An account's margin (maintenance and initial equity and requirement, stress equity), cash and collateral."""
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


def _no_deployment(message: str) -> Callable[..., None]:
    def helper(*args: Any, **kwargs: Any) -> None:
        print(message)

    return helper


def init_console(
    chain: ChainManager,
    project: ProjectManager,
    root: Path | str | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """The names `ape console` gets: the deployment's contracts and the table helpers. Without a usable manifest
    for the connected network, one line says how to deploy and the names are None."""
    console = console or Console()
    network = chain.provider.network
    choice = f"{network.ecosystem.name}:{network.name}"
    try:
        deployment = Deployment.load(project, network.name, root, chain)
    except ManifestError as err:
        path = manifest_path(network.name, root)
        reason = "none found" if not path.exists() else str(err).split(": ", 1)[-1]
        message = (
            f"ballast: no usable deployment for {choice} ({reason}); "
            f"deploy with `ape run deploy --network {choice}`"
        )
        console.print(message, soft_wrap=True, highlight=False)
        helper = _no_deployment(message)
        names: dict[str, Any] = dict.fromkeys(
            ("deployment", "pool", "engine", "oracle", "insurance", "liquidator", "timelock"), None
        )
        return {**names, "tokens": {}, "feeds": {}, "health": helper, "positions": helper, "prices": helper}
    m = deployment.manifest
    console.print(
        f"ballast on {choice} (chain {m.chain_id}, deployed at block {m.block}): pool, engine, oracle, insurance, "
        "liquidator, timelock, tokens, feeds; health(account), positions(account), prices()",
        soft_wrap=True,
        highlight=False,
    )
    return {
        "deployment": deployment,
        "pool": deployment.pool,
        "engine": deployment.engine,
        "oracle": deployment.oracle,
        "insurance": deployment.insurance,
        "liquidator": deployment.liquidator,
        "timelock": deployment.timelock,
        "tokens": deployment.tokens,
        "feeds": deployment.feeds,
        "health": partial(health, deployment, console=console),
        "positions": partial(positions, deployment, console=console),
        "prices": partial(prices, deployment, chain, console),
    }
