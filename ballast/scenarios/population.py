"""A scenario's system and people: the deployment (through `ballast.deploy.deploy_system` and a deploy config, as
`ape run deploy` does) and a population of LPs and traders drawn from a seed.

`make_population(seed, n, config, prices, profile, leverage)` is pure (numpy's Generator on the seed): the same seed
gives the same traders. Each trader gets a collateral basket of one style (stables: USDC cash and USDT; blue chips:
WETH, WBTC; long tail: LTT with some USDC; all long tail: LTT alone; mixed), one or two markets and a side per
market (the long/short mix), and a position size by the leverage mode:

- `use` (the default): a stress-capacity use `u` (Beta(5, 2) clipped to 0.2..0.9, the leverage distribution) of a
  capacity stricter than the engine's: (initial collateral value - raw collateral value x stress shock) /
  (market stress shock + 0.2 %), shared equally by the trader's markets. A basket of long-tail collateral alone
  has no capacity by that formula and opens nothing;
- `max`: the largest position the basket supports under the engine's own initial-margin and stress rule, fee and
  roundings included, through the risk mirror (`ballast.scenarios.sizing`), 0.01 % below that boundary. The same
  seed gives the same traders, baskets, markets and sides in both modes; only the sizes differ.

Open interest and collateral supply caps of the config are respected with headroom. LPs seed the Pool with 2.2 times
the traders' notional: USDC 1.3 times (it backs what positions reserve), WBTC, WETH and USDT the rest at the config's
target weights.

With an options market (`OptionsMarket`: the deployment's OptionsBook and its live series) and `option_traders` > 0,
that share of the `n` traders trade options, drawn after the others from their own generator (the other traders are
those of a population of the rest): 60 % are **hedged perp traders** (a basket of WETH and USDC cash, a long perp on
the book's asset at 80-95 % of a stress capacity that counts the options' stress too, puts bought at the money for
10-25 % of the perp's size and the farthest out-of-the-money calls written for 30-60 % of it, in the series expiring
first: a crash deeper than the stress shock liquidates them), 40 % **option buyers** (USDC cash only, 10-40 % of it
spent on premiums, puts or calls, for a notional of at most `OPTION_BUYER_NOTIONAL` times the cash). They are
sized so in both leverage modes (the engine's own sizing mirror knows no options), within each series' open-size cap
with the same headroom.

`seed_population` sends it all through the `FastDriver` in two blocks (tokens, approvals and deposits; then the
positions) and raises `DriverError` naming the first failed transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from rich.console import Console

from ballast import optionmath
from ballast.config import DeploymentConfig, SourceConfig, display_path, load_config
from ballast.deploy import DeployContext, deploy_system, resolve_roles
from ballast.errors import ScenarioError
from ballast.manifest import Manifest
from ballast.options import TRADE_TYPE
from ballast.scenarios.driver import Call, FastDriver
from ballast.scenarios.sizing import SizingContext, deposit_units, max_sizes, with_safety
from ballast.system import margin_engine_at, pool_at

WAD = 10**18
DEFAULT_CONFIG = Path("config/local.yaml")
MAX_UINT = 2**256 - 1
LONG_LIMIT = 10**30  # acceptable price of a long (any price)

#: Basket styles: (probability, {symbol: weight}); "USDC" is cash in the settlement asset.
BASKETS: dict[str, dict[str, tuple[float, dict[str, float]]]] = {
    "mixed": {
        "stables": (0.30, {"USDC": 0.6, "USDT": 0.4}),
        "blue chips": (0.40, {"WETH": 0.6, "WBTC": 0.4}),
        "long tail": (0.10, {"LTT": 0.5, "USDC": 0.5}),
        "mixed": (0.20, {"USDC": 0.3, "WETH": 0.3, "WBTC": 0.2, "LTT": 0.2}),
    },
    "eth-heavy": {
        "ether": (0.70, {"WETH": 1.0}),
        "ether and stables": (0.20, {"WETH": 0.6, "USDC": 0.4}),
        "stables": (0.10, {"USDC": 0.5, "USDT": 0.5}),
    },
    "long-tail": {
        "all long tail": (0.35, {"LTT": 1.0}),
        "long tail": (0.35, {"LTT": 0.5, "USDC": 0.5}),
        "mixed": (0.15, {"USDC": 0.3, "WETH": 0.3, "WBTC": 0.2, "LTT": 0.2}),
        "stables": (0.15, {"USDC": 0.6, "USDT": 0.4}),
    },
}
#: Market choice and long share per profile: {market name: (probability, long share)}.
MARKETS: dict[str, dict[str, tuple[float, float]]] = {
    "mixed": {"WETH-PERP": (0.5, 0.6), "WBTC-PERP": (0.35, 0.6), "LTT-PERP": (0.15, 0.6)},
    "eth-heavy": {"WETH-PERP": (0.9, 0.9), "WBTC-PERP": (0.1, 0.6)},
    "long-tail": {"LTT-PERP": (0.7, 0.7), "WETH-PERP": (0.3, 0.6)},
}
#: How a trader's position is sized (see the module docstring); "use" is the default.
LEVERAGE_MODES: tuple[str, ...] = ("use", "max")
POOL_ASSETS = ("USDC", "WBTC", "WETH", "USDT")
#: Option traders (see the module docstring): the hedged perp traders' share, their perp's share of the `use`
#: capacity, and the premium share a buyer's cash keeps back for the spread.
OPTION_HEDGER_SHARE = 0.6
OPTION_HEDGER_USE = (0.8, 0.95)  # share of the stress capacity a hedged perp trader opens (uniform)
OPTION_CALL_STRESS = 0.15  # a written call's stress loss per unit, share of the price (a margin estimate)
OPTION_PUT_STRESS = 0.06  # a bought put's stress loss per unit, share of the price
OPTION_BUYER_SPREAD = 1.1
OPTION_BUYER_NOTIONAL = 3.0  # a buyer's options cover at most this many times its cash in notional
OPTION_STRIKE_STEP = 50.0  # USD: strikes a scenario lists are rounded to it
POOL_COVER = 2.2  # pool value / traders' notional
SETTLEMENT_COVER = 1.3  # the Pool's settlement asset / traders' notional
SEED_CHUNK = 120  # traders per seeding block
CAP_HEADROOM = 0.8  # share of an open-interest or supply cap the population may use


@dataclass(frozen=True)
class Trader:
    address: str
    style: str
    deposits: dict[str, float]  # symbol -> whole tokens ("USDC": cash)
    positions: dict[str, float]  # market name -> size in base tokens (negative: short)
    capacity_use: float  # share of the stress capacity opened
    equity_usd: float  # value of the deposits at the seeding prices
    options: dict[int, float] = field(default_factory=dict)  # series id -> units (negative: written)


@dataclass(frozen=True)
class OptionSeries:
    """A live series the population may trade: strike USD, expiry unix time, the accounts' open-size cap in units."""

    id: int
    is_call: bool
    strike: float
    expiry: int
    max_open: float


@dataclass(frozen=True)
class OptionsMarket:
    """The deployment's OptionsBook as the population sees it: its margin product number, the asset of its series
    (by symbol), the live series, the asset's implied volatility (per year) and the time the premiums are estimated
    at."""

    product: int
    asset: str
    series: tuple[OptionSeries, ...]
    sigma: float
    now: int

    def premium(self, series: OptionSeries, spot: float) -> float:
        """An estimate of one unit's premium, USD (the model's upper bound at `spot`, before the spread)."""
        tau = max(series.expiry - self.now, 1)
        price = (optionmath.call_price_up if series.is_call else optionmath.put_price_up)(
            int(spot * WAD), int(series.strike * WAD), int(self.sigma * WAD), tau
        )
        return price / WAD


@dataclass(frozen=True)
class Population:
    seed: int
    profile: str
    traders: list[Trader]
    lps: dict[str, dict[str, float]]  # address -> {symbol: whole tokens}
    prices: dict[str, float]  # the prices it was sized at

    @property
    def notional_usd(self) -> float:
        return sum(_notional(t, self.prices) for t in self.traders)


def _notional(trader: Trader, prices: dict[str, float]) -> float:
    return sum(abs(size) * prices[m.split("-")[0]] for m, size in trader.positions.items())


def _cap(value: Any) -> float:
    return 1e30 if value == "unlimited" else float(value)


def scenario_address(seed: int, role: str, i: int) -> str:
    """A deterministic address nobody holds a key for (anvil impersonates it)."""
    return to_checksum_address(keccak(text=f"ballast-scenario-{seed}-{role}-{i}")[12:])


def make_population(
    seed: int,
    n: int,
    config: DeploymentConfig,
    prices: dict[str, float],
    profile: str = "mixed",
    leverage: str = "use",
    sizing: SizingContext | None = None,
    options: OptionsMarket | None = None,
    option_traders: float = 0.0,
) -> Population:
    """`n` traders and the LPs from `seed` (see the module docstring); `prices` in USD per whole token. With
    `leverage="max"`, `sizing` is the chain state the engine will judge the positions against (default: the
    config's prices, `SizingContext.from_config`). With `options`, `option_traders` of the traders (a share) trade
    options."""
    if profile not in BASKETS:
        raise ValueError(f"unknown population profile {profile!r} (known: {', '.join(BASKETS)})")
    if leverage not in LEVERAGE_MODES:
        raise ValueError(f"unknown leverage mode {leverage!r} (known: {', '.join(LEVERAGE_MODES)})")
    if leverage == "max" and sizing is None:
        sizing = SizingContext.from_config(config)
    rng = np.random.default_rng(seed)
    styles = list(BASKETS[profile].items())
    style_p = np.array([p for _, (p, _) in styles])
    markets = list(MARKETS[profile].items())
    market_p = np.array([p for _, (p, _) in markets])
    by_name = {m.name: m for m in config.markets}
    oi_left = {
        (m.name, side): _cap(getattr(m, f"{side}_open_interest_cap")) * CAP_HEADROOM
        for m in config.markets
        for side in ("long", "short")
    }
    supply_left = {s: _cap(c.supply_cap) * CAP_HEADROOM for s, c in config.collateral.items()}
    traders: list[Trader] = []
    with_options = round(n * option_traders) if options is not None and options.series else 0
    for i in range(n - with_options):
        style, (_, weights) = styles[int(rng.choice(len(styles), p=style_p / style_p.sum()))]
        equity = float(np.clip(rng.lognormal(np.log(8_000), 0.7), 500, 200_000))
        deposits: dict[str, float] = {}
        initial = stress = 0.0
        for symbol, w in weights.items():
            amount = equity * w / prices[symbol]
            if symbol != config.settlement_asset:
                if supply_left[symbol] < amount:
                    symbol, amount = config.settlement_asset, equity * w  # cap reached: cash instead
                else:
                    supply_left[symbol] -= amount
            deposits[symbol] = deposits.get(symbol, 0.0) + amount
            if symbol == config.settlement_asset:
                initial += equity * w
            else:
                c = config.collateral[symbol]
                initial += equity * w * (1 - c.initial_haircut_bps / 10_000)
                stress += equity * w * c.stress_shock_bps / 10_000
        use = float(np.clip(rng.beta(5, 2), 0.2, 0.9))
        count = 1 if rng.random() < 0.7 else 2
        chosen = rng.choice(len(markets), size=count, replace=False, p=market_p / market_p.sum())
        positions: dict[str, float] = {}
        legs: list[tuple[str, str]] = []
        for k in chosen:
            name, (_, long_share) = markets[int(k)]
            legs.append((name, "long" if rng.random() < long_share else "short"))
        if sizing is not None:
            units = deposit_units(deposits, sizing)
            boundary = max_sizes(units, [(name, 1 if side == "long" else -1) for name, side in legs], sizing)
            wanted = {name: abs(with_safety(size)) / WAD for name, size in boundary.items()}
        else:
            wanted = {}
            for name, _ in legs:
                market = by_name[name]
                shock = market.stress_shock_bps / 10_000 + 0.002  # + trading fee headroom
                wanted[name] = use * max(initial - stress, 0.0) / shock / count / prices[market.asset]
        for name, side in legs:
            market = by_name[name]
            size = min(wanted[name], oi_left[(name, side)])
            size = float(np.floor(size * 1e4) / 1e4)
            if size < float(market.min_size) * 2:
                continue
            oi_left[(name, side)] -= size
            positions[name] = size if side == "long" else -size
        traders.append(Trader(scenario_address(seed, "trader", i), style, deposits, positions, use, equity))
    if with_options:
        assert options is not None
        traders += _option_traders(seed, n - with_options, with_options, config, prices, options, oi_left)
    notional = sum(_notional(t, prices) for t in traders)
    # The Pool's settlement asset backs what positions reserve (SettlementBackingShort otherwise): USDC alone covers
    # SETTLEMENT_COVER x the notional; the other assets share the rest of POOL_COVER x the notional by target weight.
    pool_usd = max(2_000_000.0, POOL_COVER * notional)
    settlement_usd = max(pool_usd * 0.4, SETTLEMENT_COVER * notional)
    others = [s for s in POOL_ASSETS if s != config.settlement_asset]
    weights = {s: config.pool.assets[s].target_weight_bps for s in others}
    total = sum(weights.values())
    amounts = {config.settlement_asset: settlement_usd / prices[config.settlement_asset]}
    amounts |= {s: (pool_usd - settlement_usd) * weights[s] / total / prices[s] for s in others}
    lps = {scenario_address(seed, "lp", i): {s: amounts[s]} for i, s in enumerate(POOL_ASSETS)}
    return Population(seed, profile, traders, lps, dict(prices))


def _option_traders(
    seed: int,
    first: int,
    count: int,
    config: DeploymentConfig,
    prices: dict[str, float],
    options: OptionsMarket,
    oi_left: dict[tuple[str, str], float],
) -> list[Trader]:
    """`count` option traders (see the module docstring), numbered from `first`, from their own generator."""
    rng = np.random.default_rng([seed, 1])
    asset, settlement = options.asset, config.settlement_asset
    spot = prices[asset]
    front = min(s.expiry for s in options.series)
    listed = [s for s in options.series if s.expiry == front]
    puts = [s for s in listed if not s.is_call]
    calls = [s for s in listed if s.is_call]
    put = min(puts, key=lambda s: abs(s.strike - spot), default=None)  # at the money
    call = max(calls, key=lambda s: s.strike, default=None)  # the farthest out of the money
    market = next((m for m in config.markets if m.asset == asset), None)
    open_left = {(s.id, side): s.max_open * CAP_HEADROOM for s in options.series for side in (1, -1)}

    def take(series: OptionSeries | None, units: float) -> dict[int, float]:
        if series is None:
            return {}
        side = 1 if units > 0 else -1
        size = float(np.floor(min(abs(units), open_left[(series.id, side)]) * 1e3) / 1e3)
        if size <= 0:
            return {}
        open_left[(series.id, side)] -= size
        return {series.id: side * size}

    out: list[Trader] = []
    for i in range(first, first + count):
        address = scenario_address(seed, "trader", i)
        hedged = market is not None and rng.random() < OPTION_HEDGER_SHARE
        if hedged:
            assert market is not None
            equity = float(np.clip(rng.lognormal(np.log(8_000), 0.5), 1_000, 100_000))
            c = config.collateral[asset]
            deposits = {asset: equity * 0.6 / spot, settlement: equity * 0.4}
            initial = equity * 0.4 + equity * 0.6 * (1 - c.initial_haircut_bps / 10_000)
            stress = equity * 0.6 * c.stress_shock_bps / 10_000
            # Close to the stress capacity, the options' share of it included: the written calls' stress loss
            # (OPTION_CALL_STRESS of the price per unit) and the puts' (their value, OPTION_PUT_STRESS), the puts'
            # premium out of the initial equity. A crash deeper than the stress shock liquidates them.
            use = float(rng.uniform(*OPTION_HEDGER_USE))
            put_share, call_share = rng.uniform(0.1, 0.25), rng.uniform(0.3, 0.6)
            put_cost = put_share * options.premium(put, spot) * OPTION_BUYER_SPREAD / spot if put else 0.0
            shock = (
                market.stress_shock_bps / 10_000
                + 0.002
                + (put_share * (OPTION_PUT_STRESS + put_cost) if put else 0.0)
                + (call_share * OPTION_CALL_STRESS if call else 0.0)
            )
            wanted = use * max(initial - stress, 0.0) / shock / spot
            size = float(np.floor(min(wanted, oi_left[(market.name, "long")]) * 1e4) / 1e4)
            positions: dict[str, float] = {}
            held: dict[int, float] = {}
            if size >= float(market.min_size) * 2:
                oi_left[(market.name, "long")] -= size
                positions[market.name] = size
                held |= take(put, size * put_share)
                held |= take(call, -size * call_share)
            out.append(Trader(address, "options: hedged perp", deposits, positions, use, equity, held))
            continue
        equity = float(np.clip(rng.lognormal(np.log(5_000), 0.5), 500, 50_000))
        budget = equity * rng.uniform(0.1, 0.4)
        series = put if (call is None or rng.random() < 0.7) and put is not None else call
        units = budget / (options.premium(series, spot) * OPTION_BUYER_SPREAD) if series is not None else 0.0
        units = min(
            units, equity * OPTION_BUYER_NOTIONAL / spot
        )  # cheap short-dated options: a bounded notional
        out.append(
            Trader(address, "options: buyer", {settlement: equity}, {}, 0.0, equity, take(series, units))
        )
    return out


def options_market(system: System, now: int) -> OptionsMarket | None:
    """The deployment's OptionsBook and its live series at the latest block (None without a book)."""
    book = system.options
    if book is None or system.options_product is None:
        return None
    symbol_of = {str(t.address).lower(): sym for sym, t in system.tokens.items()}
    series = []
    asset = ""
    for sid in (int(x) for x in book.liveSeries()):
        s = book.series(sid)
        asset = symbol_of[str(s.asset).lower()]
        series.append(
            OptionSeries(sid, bool(s.isCall), int(s.strike) / WAD, int(s.expiry), int(s.maxOpenSize) / WAD)
        )
    if not series:
        return None
    sigma = int(book.impliedVol(system.tokens[asset].address)) / WAD
    return OptionsMarket(system.options_product, asset, tuple(series), sigma, now)


# ---------------------------------------------------------------------------------------------------- the system


@dataclass
class System:
    """A deployed system: ape instances of its contracts, its tokens and feeds by symbol, its roles."""

    config: DeploymentConfig
    manifest: Manifest
    oracle: ContractInstance
    pool: ContractInstance
    engine: ContractInstance
    liquidator: ContractInstance
    insurance: ContractInstance
    tokens: dict[str, Any]
    feeds: dict[str, list[Any]]
    decimals: dict[str, int]
    markets: dict[str, int]  # market name -> index
    deployer: AccountAPI
    guardian: str
    keeper: Any
    options: ContractInstance | None = None  # the OptionsBook, when the config has `options`
    options_product: int | None = None  # its margin product number in the MarginEngine
    risk_manager: str = ""  # lists series and steps implied volatilities
    expiry_sender: Any = None  # the expiry keeper's account
    risk_sender: Any = (
        None  # the risk manager's account, when it is a test account (the risk keeper signs with it)
    )

    @property
    def settlement(self) -> str:
        return self.config.settlement_asset

    def units(self, symbol: str, amount: float) -> int:
        return int(amount * 10 ** self.decimals[symbol])


@contextmanager
def quiet_ape() -> Iterator[None]:
    """ape logs every confirmed transaction at INFO; a deployment sends about a hundred."""
    from ape.logging import logger

    previous = logger.level
    logger.set_level(logging.WARNING)
    try:
        yield
    finally:
        logger.set_level(previous)


def deploy_scenario_system(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    config_path: Path = DEFAULT_CONFIG,
    console: Console | None = None,
) -> System:
    """Deploy the config's system on the connected local chain (no manifest is written: the chain is throwaway)."""
    config = load_config(config_path)
    if not hasattr(
        accounts, "test_accounts"
    ):  # ape test's `accounts` fixture is the test accounts themselves
        accounts = SimpleNamespace(test_accounts=accounts)
    test_accounts = accounts.test_accounts
    deployer = test_accounts[0]
    ctx = DeployContext(project, chain, accounts, deployer, console=console or Console(quiet=True))
    roles = resolve_roles(ctx, config)
    with quiet_ape():
        manifest = deploy_system(ctx, config, roles, display_path(config_path))
    c = manifest.contracts
    tokens = {s: project.MockERC20.at(a) for s, a in manifest.tokens.items()}
    feeds = {s: [project.MockFeed.at(f.address) for f in entries] for s, entries in manifest.feeds.items()}
    return System(
        config=config,
        manifest=manifest,
        oracle=project.OracleAggregator.at(c["OracleAggregator"]),
        pool=pool_at(project, c["Pool"]),
        engine=margin_engine_at(project, c["MarginEngine"]),
        liquidator=project.Liquidator.at(c["Liquidator"]),
        insurance=project.InsuranceFund.at(c["InsuranceFund"]),
        tokens=tokens,
        feeds=feeds,
        decimals={s: spec.decimals for s, spec in config.tokens.items()},
        markets=dict(manifest.markets),
        deployer=deployer,
        guardian=roles.guardian,
        keeper=test_accounts[4],
        options=project.OptionsBook.at(manifest.options.book) if manifest.options is not None else None,
        options_product=manifest.options.product if manifest.options is not None else None,
        risk_manager=roles.risk_manager,
        expiry_sender=test_accounts[5],
        risk_sender=next((a for a in test_accounts if str(a.address) == roles.risk_manager), None),
    )


def seed_prices(system: System) -> dict[str, float]:
    """The config's first source answer of every asset, USD per whole token (the seeding prices)."""
    return {s: source_answer(a.sources[0]) for s, a in system.config.oracle.assets.items()}


def source_answer(source: SourceConfig) -> float:
    """A mock source's configured answer, USD per whole token (scenarios run on mock feeds only)."""
    if source.answer is None:
        raise ScenarioError(f"a {source.kind} source has no answer: scenarios need mock feeds")
    return float(source.answer)


def seed_population(system: System, driver: FastDriver, population: Population, start: int) -> int:
    """Send the population's tokens, deposits and positions (from timestamp `start`, blocks of `SEED_CHUNK` traders); returns the
    timestamp of the last block. Raises `DriverError` naming the first failed transaction."""
    # Every account mints its own tokens: a block orders one sender's transactions by nonce, not across senders.
    everyone = list(population.lps) + [t.address for t in population.traders]
    driver.fund(everyone, 10**21)
    for lp, assets in population.lps.items():
        for symbol, amount in assets.items():
            raw = system.units(symbol, amount)
            token = system.tokens[symbol]
            driver.queue(lp, Call.of(token, "mint", lp, raw, gas=120_000, label=f"{symbol}.mint"))
            driver.queue(lp, Call.of(token, "approve", system.pool.address, MAX_UINT, gas=80_000))
            driver.queue(
                lp, Call.of(system.pool, "deposit", token.address, raw, 0, lp, label=f"Pool.deposit {symbol}")
            )
    timestamp = start
    for i, trader in enumerate(population.traders):
        if i and i % SEED_CHUNK == 0:  # blocks of a few thousand transactions keep every request short
            timestamp = driver.mine(timestamp, strict=True).timestamp + 1
        for symbol, amount in trader.deposits.items():
            raw = system.units(symbol, amount)
            token = system.tokens[symbol]
            driver.queue(
                trader.address,
                Call.of(token, "mint", trader.address, raw, gas=120_000, label=f"{symbol}.mint"),
            )
            driver.queue(
                trader.address, Call.of(token, "approve", system.engine.address, MAX_UINT, gas=80_000)
            )
            driver.queue(
                trader.address,
                Call.of(
                    system.engine, "deposit", token.address, raw, trader.address, label=f"deposit {symbol}"
                ),
            )
    block = driver.mine(timestamp, strict=True)
    for i, trader in enumerate(population.traders):
        if i and i % SEED_CHUNK == 0:
            block = driver.mine(block.timestamp + 1, strict=True)
        for market, size in trader.positions.items():
            limit = LONG_LIMIT if size > 0 else 0
            raw = int(size * WAD)
            driver.queue(
                trader.address,
                Call.of(
                    system.engine,
                    "modifyPosition",
                    system.markets[market],
                    raw,
                    limit,
                    label=f"open {market}",
                ),
            )
        for sid, size in trader.options.items():
            driver.queue(trader.address, option_trade(system, sid, size, trader.equity_usd))
    block = driver.mine(block.timestamp + 1, strict=True)
    return block.timestamp


def option_trade(system: System, series_id: int, size: float, budget_usd: float = 0.0) -> Call:
    """`tradeProduct` of `size` units of a series (positive: a buy paying at most `budget_usd` of premium; negative:
    a sale receiving anything); size 0 realizes the account's settled positions."""
    assert system.options_product is not None
    delta = round(size * 1e6) * 10**12
    limit = -int(budget_usd * WAD) if delta > 0 else 0
    action = encode([TRADE_TYPE], [(series_id, delta, limit)])
    label = "realize options" if delta == 0 else f"{'buy' if delta > 0 else 'write'} series {series_id}"
    return Call.of(system.engine, "tradeProduct", system.options_product, action, label=label)
