"""The main job behind `make demo`: deploy ballast on a local anvil and run one liquidation.

Deploys three mock tokens, three mock Chainlink-style feeds per token and an OracleAggregator configured for the
three assets; updates every asset, lets time pass with small price moves, updates again. Then deploys the core
(Pool, which holds the shared lock, MarginEngine, Liquidator, InsuranceFund), seeds the pool, lets a trader open a
leveraged long on WETH, drops WETH by 25 %, and has a keeper liquidate the account. Prints what was deployed, the
prices and the outcome. (The liquidation-cascade scenario with many accounts replaces this in a later issue.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from rich.console import Console
from rich.table import Table

from ballast.mocks import MockAsset, Source, deploy_mocks
from ballast.prices import settle_prices
from ballast.risk import STATUS_NAMES
from ballast.system import CoreParams, Roles, deploy_core

WAD = 10**18
FEED_DECIMALS = 8


@dataclass(frozen=True)
class AssetSpec:
    """A mock asset of the local deployment and its three feeds."""

    symbol: str
    name: str
    decimals: int
    price: Decimal  # USD per whole token
    feed_offsets_bps: tuple[int, int, int]  # each feed's answer relative to `price`
    moves_bps: tuple[int, ...]  # price move at each time step, applied to every feed


LOCAL_ASSETS: tuple[AssetSpec, ...] = (
    AssetSpec("USDC", "USD Coin", 6, Decimal("1.00"), (0, -2, 3), (1, -2, 1)),
    AssetSpec("WBTC", "Wrapped BTC", 8, Decimal("60000"), (0, 5, -4), (40, -25, 60)),
    AssetSpec("WETH", "Wrapped Ether", 18, Decimal("3000"), (0, -5, 6), (-30, 50, 20)),
)


@dataclass(frozen=True)
class OracleParams:
    """The OracleAggregator and per-asset configuration used by the demo."""

    min_twap_window: int = 60  # seconds, fixed at deployment
    quorum: int = 2  # of 3 sources
    heartbeat: int = 3_600  # seconds a source answer stays fresh
    max_dispersion_bps: int = 100  # (max - min) / median among fresh answers
    max_deviation_bps: int = 200  # |median - TWAP| / TWAP
    twap_window: int = 300  # seconds
    max_price_age: int = 900  # seconds a stored median stays valid
    buffer_size: int = 32  # observations in the ring buffer
    bounds_factor: int = 100  # sources accept answers within [price / factor, price * factor]


TIME_STEP = 120  # seconds between oracle updates after the first


@dataclass(frozen=True)
class Deployed:
    name: str
    address: str
    detail: str


@dataclass(frozen=True)
class PriceRow:
    symbol: str
    median: int  # WAD
    twap: int  # WAD
    status: str
    fresh_sources: int
    source_count: int
    updated_at: int  # unix seconds


@dataclass(frozen=True)
class DemoResult:
    deployed: list[Deployed]
    prices: list[PriceRow]


def feed_answer(spec: AssetSpec, offset_bps: int, moves_bps: tuple[int, ...] = ()) -> int:
    """A feed's answer in its own decimals: the asset price shifted by the feed's offset and the moves so far."""
    price = spec.price * (1 + Decimal(offset_bps) / 10_000)
    for move in moves_bps:
        price *= 1 + Decimal(move) / 10_000
    return int(price * 10**FEED_DECIMALS)


def mock_asset(spec: AssetSpec, params: OracleParams) -> MockAsset:
    """`spec` for `deploy_mocks`: its three feeds, each accepting answers within `bounds_factor` of the price."""
    answer = int(spec.price * 10**FEED_DECIMALS)
    bounds = (max(1, answer // params.bounds_factor), answer * params.bounds_factor)
    sources = tuple(
        Source(
            FEED_DECIMALS, feed_answer(spec, offset), f"{spec.symbol} / USD #{i}", params.heartbeat, bounds
        )
        for i, offset in enumerate(spec.feed_offsets_bps, start=1)
    )
    return MockAsset(spec.symbol, spec.decimals, sources, params, spec.name)


def update_all(oracle: ContractInstance, tokens: dict[str, Any], sender: AccountAPI) -> dict[str, int]:
    """Call `update` for every asset; return the number of fresh sources each update counted."""
    fresh = {}
    for symbol, token in tokens.items():
        receipt = oracle.update(token, sender=sender)
        events = receipt.decode_logs(oracle.PriceUpdated)
        fresh[symbol] = int(events[-1].freshSources) if events else 0
    return fresh


def advance(chain: ChainManager, seconds: int) -> None:
    """Move the local chain's clock forward by `seconds` and mine a block."""
    chain.pending_timestamp += seconds
    chain.mine()


def read_prices(
    oracle: ContractInstance, tokens: dict[str, Any], fresh: dict[str, int], sources: dict[str, int]
) -> list[PriceRow]:
    """The stored prices of every asset (`getPriceData`), with the fresh and configured source counts."""
    rows = []
    for symbol, token in tokens.items():
        median, twap, status, updated_at = oracle.getPriceData(token)
        status_name = STATUS_NAMES[int(status)]
        rows.append(PriceRow(symbol, median, twap, status_name, fresh[symbol], sources[symbol], updated_at))
    return rows


def format_usd(wad: int) -> str:
    """USD from a WAD: 4 decimals below $10, else cents."""
    value = Decimal(wad) / WAD
    return f"${value:,.4f}" if value < 10 else f"${value:,.2f}"


def format_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%H:%M:%S UTC")


def print_deployed(deployed: list[Deployed], title: str, console: Console) -> None:
    table = Table(title=title)
    table.add_column("contract")
    table.add_column("address", no_wrap=True)
    for row in deployed:
        name = f"{row.name} [dim]({row.detail})[/dim]" if row.detail else row.name
        table.add_row(name, row.address)
    console.print(table)


def print_prices(prices: list[PriceRow], title: str, console: Console) -> None:
    table = Table(title=title)
    table.add_column("asset")
    table.add_column("median", justify="right", no_wrap=True)
    table.add_column("TWAP", justify="right", no_wrap=True)
    table.add_column("status")
    table.add_column("fresh sources", justify="right")
    table.add_column("updatedAt", no_wrap=True)
    for row in prices:
        table.add_row(
            row.symbol,
            format_usd(row.median),
            format_usd(row.twap),
            row.status,
            f"{row.fresh_sources}/{row.source_count}",
            format_time(row.updated_at),
        )
    console.print(table)


def run_demo(
    cli_ctx: Any,
    console: Console | None = None,
    assets: tuple[AssetSpec, ...] = LOCAL_ASSETS,
    params: OracleParams | None = None,
) -> DemoResult:
    """Deploy tokens, feeds and the OracleAggregator to the connected (local) network, run a few oracle updates
    with small price moves, and print the deployed contracts and the stored prices."""
    console = console or Console()
    params = params or OracleParams()
    if not cli_ctx.network_manager.network.is_local:
        cli_ctx.abort(
            "the demo deploys mock tokens and feeds and runs only on a local network (e.g. ethereum:local:foundry)"
        )
    project, chain = cli_ctx.local_project, cli_ctx.chain_manager
    admin = cli_ctx.account_manager.test_accounts[0]  # also the guardian and the keeper
    deployed: list[Deployed] = []

    console.rule("deploy: tokens and feeds")

    def new_oracle() -> Any:
        console.rule("deploy: OracleAggregator and asset configuration")
        return project.OracleAggregator.deploy(admin, admin, params.min_twap_window, sender=admin)

    mocks = deploy_mocks(
        project, admin, [mock_asset(spec, params) for spec in assets], new_oracle=new_oracle, update=None
    )
    tokens, feeds, oracle = mocks.tokens, mocks.feeds, mocks.oracle
    for spec in assets:
        token = tokens[spec.symbol]
        deployed.append(Deployed(f"MockERC20 {spec.symbol}", token.address, f"{spec.decimals} decimals"))
        for i, (feed, offset) in enumerate(
            zip(feeds[spec.symbol], spec.feed_offsets_bps, strict=True), start=1
        ):
            detail = format_usd(feed_answer(spec, offset) * 10 ** (18 - FEED_DECIMALS))
            deployed.append(Deployed(f"MockFeed {spec.symbol} #{i}", feed.address, detail))
    deployed.append(Deployed("OracleAggregator", oracle.address, ""))

    console.rule("oracle: first update")
    fresh = update_all(oracle, tokens, admin)
    steps = max(len(spec.moves_bps) for spec in assets)
    for step in range(1, steps + 1):
        console.rule(f"oracle: +{TIME_STEP} s, small price moves, update ({step}/{steps})")
        advance(chain, TIME_STEP)
        for spec in assets:
            moves = spec.moves_bps[:step]
            for feed, offset in zip(feeds[spec.symbol], spec.feed_offsets_bps, strict=True):
                feed.setAnswer(feed_answer(spec, offset, moves), sender=admin)
        fresh = update_all(oracle, tokens, admin)

    source_counts = {symbol: len(fs) for symbol, fs in feeds.items()}
    prices = read_prices(oracle, tokens, fresh, source_counts)
    source_count = "/".join(sorted({str(n) for n in source_counts.values()}))

    console.rule("summary")
    network = chain.provider.network.choice
    print_deployed(deployed, f"ballast demo: deployed on {network} (block {chain.blocks.height})", console)
    console.print(
        f"OracleAggregator: admin and guardian {admin.address}, min TWAP window {params.min_twap_window} s; "
        f"per asset {source_count} sources, quorum {params.quorum}, dispersion <= {params.max_dispersion_bps} bps, "
        f"deviation <= {params.max_deviation_bps} bps, TWAP window {params.twap_window} s, "
        f"max price age {params.max_price_age} s, buffer {params.buffer_size}."
    )
    print_prices(prices, f"prices after {steps + 1} updates, {TIME_STEP} s apart", console)
    outcome = run_liquidation(
        project, chain, cli_ctx.account_manager.test_accounts, oracle, tokens, feeds, params
    )
    print_deployed(outcome.deployed, "core contracts", console)
    table = Table(title="one liquidation: WETH long, WETH -25 %")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in outcome.rows:
        table.add_row(name, value)
    console.print(table)
    return DemoResult(deployed + outcome.deployed, prices)


@dataclass(frozen=True)
class LiquidationOutcome:
    deployed: list[Deployed]
    rows: list[tuple[str, str]]


def _move_feeds(feeds: list[Any], factor_bps: int, sender: AccountAPI) -> None:
    for feed in feeds:
        feed.setAnswer(feed.answer() * factor_bps // 10_000, sender=sender)


def run_liquidation(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    oracle: ContractInstance,
    tokens: dict[str, Any],
    feeds: dict[str, list[Any]],
    params: OracleParams,
) -> LiquidationOutcome:
    """Deploy the core, seed it, open one leveraged long, crash its asset and liquidate it."""
    admin, lp, trader, keeper = accounts[0], accounts[1], accounts[2], accounts[3]
    core = deploy_core(project, admin, oracle, tokens["USDC"], Roles(admin, admin, admin), CoreParams())
    for symbol, target in (("USDC", 5_000), ("WBTC", 2_500), ("WETH", 2_500)):
        core.pool.listAsset(tokens[symbol], (target, 10_000, 10, 20, 2**127), sender=admin)
    for symbol in ("WBTC", "WETH"):
        core.engine.listCollateral(tokens[symbol], (1_500, 1_000, 2_000, 2**127), sender=admin)
    weth_perp = 0
    core.engine.listMarket(
        (tokens["WETH"], 1_000, 500, 2_000, 10, 10_000, 10**16, 10**24, 10**24), sender=admin
    )
    core.engine.listMarket(
        (tokens["WBTC"], 1_000, 500, 2_000, 10, 10_000, 10**14, 10**24, 10**24), sender=admin
    )

    prices = {symbol: oracle.median(token) for symbol, token in tokens.items()}
    for symbol, usd in (("USDC", 1_000_000), ("WBTC", 500_000), ("WETH", 500_000)):
        amount = usd * WAD * 10 ** tokens[symbol].decimals() // prices[symbol]
        tokens[symbol].mint(lp, amount, sender=lp)
        tokens[symbol].approve(core.pool, amount, sender=lp)
        core.pool.deposit(tokens[symbol], amount, 0, lp, sender=lp)
    collateral = 4 * WAD
    tokens["WETH"].mint(trader, collateral, sender=trader)
    tokens["WETH"].approve(core.engine, collateral, sender=trader)
    core.engine.deposit(tokens["WETH"], collateral, trader, sender=trader)
    core.engine.modifyPosition(weth_perp, 10 * WAD, 2**255, sender=trader)
    before = core.engine.health(trader)
    share_price_before = core.pool.sharePrice(False)

    _move_feeds(feeds["WETH"], 7_500, admin)
    settle_prices(chain, oracle, {tokens[s]: feeds[s] for s in tokens}, params.twap_window, admin)
    crashed = core.engine.health(trader)
    receipt = core.liquidator.liquidateMany([trader], sender=keeper)
    event = receipt.events.filter(core.liquidator.Liquidated)[0]
    after = core.engine.health(trader)
    usdc = 10**6
    rows = [
        (
            "maintenance equity / MM, after opening",
            f"{format_usd(before.maintenanceEquity)} / {format_usd(before.maintenanceMargin)}",
        ),
        (
            "maintenance equity / MM, after the crash",
            f"{format_usd(crashed.maintenanceEquity)} / {format_usd(crashed.maintenanceMargin)}",
        ),
        (
            "closed by the liquidation",
            f"{event.fractionBps / 100:.0f} % ({format_usd(event.closedNotional)})",
        ),
        ("penalty / keeper reward (USDC)", f"{event.penalty / usdc:,.2f} / {event.keeperReward / usdc:,.2f}"),
        (
            "maintenance equity / MM, after",
            f"{format_usd(after.maintenanceEquity)} / {format_usd(after.maintenanceMargin)}",
        ),
        ("InsuranceFund balance (USDC)", f"{core.insurance.bookedBalance() / usdc:,.2f}"),
        (
            "LP share price before / after",
            f"{format_usd(share_price_before)} / {format_usd(core.pool.sharePrice(False))}",
        ),
        ("liquidation gas (tx)", f"{receipt.gas_used:,}"),
    ]
    deployed = [Deployed(name, contract.address, "") for name, contract in core.by_name().items()]
    return LiquidationOutcome(deployed, rows)
