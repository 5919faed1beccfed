"""Gas of the bench scenario from transaction receipts on a local anvil (`ape run bench_receipts`): a cross-check
of the forge harness that `make bench` reads (`ballast.bench.harness`), which measures the same state to the gas.

Every figure is a whole transaction (`gas_used`: the 21,000 base, calldata and cold storage included, like the
other protocols' figures it is compared with); `execution` subtracts the intrinsic cost (base + calldata) to show
what the contract itself spends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ape.api import ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from rich.console import Console
from rich.table import Table

from ballast.mocks import MockAsset, Source, Terms, deploy_mocks, one_feed
from ballast.prices import settle_prices
from ballast.system import CoreParams, Roles, deploy_core

WAD = 10**18
FEED_DECIMALS = 8
MIN_TWAP_WINDOW = 60
TWAP_WINDOW = 600
UPDATE_INTERVAL = 60


@dataclass(frozen=True)
class GasRow:
    operation: str
    gas: int
    execution: int
    target: int | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        measured = self.execution if "execution" in self.note else self.gas
        return "ok" if measured <= self.target else "over"


def intrinsic_gas(data: bytes) -> int:
    """Transaction base plus calldata cost (4 gas per zero byte, 16 per non-zero byte)."""
    return 21_000 + sum(4 if b == 0 else 16 for b in data)


def row(operation: str, receipt: ReceiptAPI, target: int | None = None, note: str = "") -> GasRow:
    data = bytes(receipt.transaction.data)
    return GasRow(operation, receipt.gas_used, receipt.gas_used - intrinsic_gas(data), target, note)


def print_rows(rows: list[GasRow], title: str, console: Console | None = None) -> None:
    table = Table(title=title)
    table.add_column("operation", justify="left")
    table.add_column("tx gas", justify="right")
    table.add_column("execution", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="left")
    table.add_column("note")
    for r in rows:
        target = f"{r.target:,}" if r.target else ""
        table.add_row(r.operation, f"{r.gas:,}", f"{r.execution:,}", target, r.verdict, r.note)
    (console or Console()).print(table)


def _advance(chain: ChainManager, seconds: int) -> None:
    chain.pending_timestamp += seconds
    chain.mine()


#: The oracle terms of every bench asset: one source, a 600 s TWAP on a 64-slot ring.
TERMS = Terms(
    quorum=1,
    max_dispersion_bps=500,
    max_deviation_bps=500,
    twap_window=TWAP_WINDOW,
    max_price_age=3_600,
    buffer_size=64,
)
PRICES = {"USDC": (6, 1), "WBTC": (8, 60_000), "WETH": (18, 3_000)}


def _list_assets(project: ProjectManager, owner: Any, oracle: ContractInstance) -> dict[str, Any]:
    """USDC, WBTC and WETH with one feed each, configured and updated in the oracle, one asset after the other;
    the tokens and feeds by symbol."""
    tokens, feeds = {}, {}
    for symbol, (decimals, price) in PRICES.items():
        asset = one_feed(symbol, decimals, price * 10**FEED_DECIMALS, TERMS)
        mocks = deploy_mocks(project, owner, [asset], oracle=oracle)
        tokens[symbol], feeds[symbol] = mocks.tokens[symbol], mocks.feeds[symbol][0]
    return {"tokens": tokens, "feeds": feeds}


def bench_oracle(project: ProjectManager, chain: ChainManager, owner: Any) -> list[GasRow]:
    """`update` with 1, 3 and 5 sources in steady state (history longer than the TWAP window, ring slots
    pre-filled), and a consumer read."""
    oracle = project.OracleAggregator.deploy(owner, owner, MIN_TWAP_WINDOW, sender=owner)
    rows = []
    for n in (1, 3, 5):
        sources = tuple(Source(FEED_DECIMALS, 2_000 * 10**8) for _ in range(n))
        mocks = deploy_mocks(
            project, owner, [MockAsset(f"A{n}", 18, sources, TERMS)], oracle=oracle, update=None
        )
        asset, feeds = mocks.tokens[f"A{n}"], mocks.feeds[f"A{n}"]
        receipt = None
        for step in range(TWAP_WINDOW // UPDATE_INTERVAL + 4):
            _advance(chain, UPDATE_INTERVAL)
            for i, feed in enumerate(feeds):
                feed.setAnswer((2_000 + step + i) * 10**8, sender=owner)
            receipt = oracle.update(asset, sender=owner)
        target = 60_000 if n == 3 else None
        rows.append(
            row(f"oracle update, {n} source{'s' * (n > 1)}", receipt, target, "cold feeds, steady state")
        )
    read = oracle.priceForRisk.estimate_gas_cost(asset, True, sender=owner)
    calldata = oracle.priceForRisk.encode_input(asset, True)
    rows.append(
        GasRow(
            "price read (priceForRisk)",
            read,
            read - intrinsic_gas(bytes(calldata)),
            5_000,
            "target applies to execution",
        )
    )
    return rows


def bench_pool(
    project: ProjectManager, chain: ChainManager, accounts: Any, cooldown: int = 900
) -> list[GasRow]:
    """LP deposit (first and repeat) and withdraw with 3 listed assets and 3 markets priced by the oracle, with
    the deposit cooldown on (each deposit writes the receiver's lockup)."""
    owner, lp = accounts[0], accounts[1]
    oracle = project.OracleAggregator.deploy(owner, owner, MIN_TWAP_WINDOW, sender=owner)
    prices = PRICES
    tokens = _list_assets(project, owner, oracle)["tokens"]
    params = CoreParams(cooldown=cooldown, insurance_target=0)
    core = deploy_core(
        project, owner, oracle, tokens["USDC"], Roles(owner, owner, owner), params, stand_in=True
    )
    pool, engine = core.pool, core.engine
    engine.setMarkets(oracle, [tokens["WBTC"], tokens["WETH"], tokens["WBTC"]], sender=owner)
    for symbol in prices:
        pool.listAsset(tokens[symbol], (3_333, 10_000, 30, 50, 2**127), sender=owner)
    for account in (owner, lp):
        for token in tokens.values():
            token.mint(account, 10**30, sender=account)
            token.approve(pool, 2**256 - 1, sender=account)
    seed = {symbol: 100_000 * 10 ** prices[symbol][0] // prices[symbol][1] for symbol in prices}
    for symbol, amount in seed.items():
        pool.deposit(tokens[symbol], amount, 0, owner, sender=owner)

    usdc, weth = tokens["USDC"], tokens["WETH"]
    first = pool.deposit(usdc, 1_000 * 10**6, 0, lp, sender=lp)
    repeat = pool.deposit(weth, 10**18, 0, lp, sender=lp)
    _advance(chain, cooldown + 1)
    withdraw = pool.withdraw(pool.balanceOf(lp) // 2, usdc, 0, lp, sender=lp)
    note = "3 assets, 3 markets"
    return [
        row("LP deposit, first", first, 150_000, note),
        row("LP deposit, repeat", repeat, 150_000, note),
        row("LP withdraw", withdraw, 150_000, note),
    ]


def bench_engine(project: ProjectManager, chain: ChainManager, accounts: Any) -> list[GasRow]:
    """Collateral deposit (first, repeat), opening a position, the health view, `liquidate` of one account with 1
    position and 1 collateral asset, and one auto-deleveraging, on the real core (ballast.system.deploy_core)."""
    owner, lp, trader, keeper = accounts[0], accounts[1], accounts[2], accounts[3]
    oracle = project.OracleAggregator.deploy(owner, owner, MIN_TWAP_WINDOW, sender=owner)
    prices = PRICES
    listed = _list_assets(project, owner, oracle)
    tokens, feeds = listed["tokens"], listed["feeds"]
    core = deploy_core(project, owner, oracle, tokens["USDC"], Roles(owner, owner, owner), CoreParams())
    for symbol in prices:
        core.pool.listAsset(tokens[symbol], (3_333, 10_000, 0, 0, 2**127), sender=owner)
    for symbol in ("WBTC", "WETH"):
        core.engine.listCollateral(tokens[symbol], (1_500, 1_000, 2_000, 2**127), sender=owner)
    core.engine.listMarket(
        (tokens["WETH"], 1_000, 500, 2_000, 10, 10_000, 10**16, 10**24, 10**24), sender=owner
    )
    core.engine.listMarket(
        (tokens["WBTC"], 1_000, 500, 2_000, 10, 10_000, 10**14, 10**24, 10**24), sender=owner
    )
    for symbol, (decimals, price) in prices.items():
        amount = 1_000_000 * 10**decimals // price
        tokens[symbol].mint(lp, amount, sender=lp)
        tokens[symbol].approve(core.pool, amount, sender=lp)
        core.pool.deposit(tokens[symbol], amount, 0, lp, sender=lp)
    weth = tokens["WETH"]
    weth.mint(trader, 10 * WAD, sender=trader)
    weth.approve(core.engine, 10 * WAD, sender=trader)
    first = core.engine.deposit(weth, 2 * WAD, trader, sender=trader)
    repeat = core.engine.deposit(weth, 2 * WAD, trader, sender=trader)
    opened = core.engine.modifyPosition(0, 10 * WAD, 2**255, sender=trader)
    health_gas = core.engine.health.estimate_gas_cost(trader, sender=trader)
    calldata = core.engine.health.encode_input(trader)
    # Crash WETH 30 % and let the TWAP catch up so the account is liquidatable at an Ok price.
    feeds["WETH"].setAnswer(2_100 * 10**FEED_DECIMALS, sender=owner)
    settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in tokens}, TWAP_WINDOW, owner)
    liquidated = core.liquidator.liquidate(trader, sender=keeper)
    # A 200 WETH long whose profit after WETH doubles exceeds 10 % of pool value: auto-deleveraging is active.
    core.engine.setAdlParams(1_000, 800, sender=owner)
    winner, usdc = accounts[4], tokens["USDC"]
    usdc.mint(winner, 200_000 * 10**6, sender=winner)
    usdc.approve(core.engine, 200_000 * 10**6, sender=winner)
    core.engine.deposit(usdc, 200_000 * 10**6, winner, sender=winner)
    core.engine.modifyPosition(0, 200 * WAD, 2**255, sender=winner)
    feeds["WETH"].setAnswer(4_200 * 10**FEED_DECIMALS, sender=owner)
    settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in tokens}, TWAP_WINDOW, owner)
    deleveraged = core.engine.autoDeleverage(winner, 0, sender=keeper)
    note = "1 position, 1 collateral"
    return [
        row("collateral deposit, first", first, 90_000),
        row("collateral deposit, repeat", repeat, 55_000),
        row("open position", opened, 150_000, note),
        GasRow("health view", health_gas, health_gas - intrinsic_gas(bytes(calldata)), None, note),
        row("liquidate", liquidated, 110_000, note),
        row("auto-deleverage", deleveraged, None, "partial, 1 position"),
    ]


BENCHES: dict[str, Callable[..., list[GasRow]]] = {
    "oracle": bench_oracle,
    "pool": bench_pool,
    "engine": bench_engine,
}
