"""Differential test of `ballast.risk` (with the `ballast.reader` loaders) against the MarginEngine's health views:
random accounts (collateral baskets of WBTC, WETH and LTT with USDC cash, a USDC loan, long and short positions on
both markets, a position in a margin product whose figures move with the prices) and random price moves (settled TWAPs, or single oracle ticks that split median and TWAP), then time
passing (borrow fees accrue, prices may go stale). Every field of `health` must equal the engine's to the wei, and
the oracle status the keeper predicts must be the one the oracle reports.

Each example runs on a chain snapshot (`support.isolation.isolated`); the example count comes from the hypothesis profile (tests/conftest.py).
"""

from dataclasses import replace

import ape
import pytest
from eth_abi import encode
from hypothesis import event, example, given
from hypothesis import strategies as st

from ballast.prices import settle_prices
from ballast.reader import (
    fetch_account,
    fetch_borrow_index,
    fetch_max_price_ages,
    fetch_prices,
    fetch_risk_params,
    fetch_snapshot,
)
from ballast.risk import AccountState, Health, PriceStatus, health, liquidation_blockers, liquidation_health

from support.core import (
    COLLATERAL,
    DECIMALS,
    FEED_DECIMALS,
    MARKET_ASSET,
    MARKETS,
    MAX_UINT,
    PRICES,
    RISK_PARAMS,
    SYMBOLS,
    TWAP_WINDOW,
    WBTC_PERP,
    WETH_PERP,
    units,
    wad,
)
from support.isolation import isolated


@pytest.fixture(scope="module")
def funded(seeded, tokens, engine, fresh):
    """A billion dollars of each token for `fresh`, approved to the engine: a deposit is one transaction."""
    for symbol in SYMBOLS:
        tokens[symbol].mint(fresh, units(symbol, 10**9 / PRICES[symbol]), sender=fresh)
        tokens[symbol].approve(engine, MAX_UINT, sender=fresh)
    return seeded


@pytest.fixture(scope="module")
def book(funded, project, engine, gov):
    """A MockMarginProduct listed as margin product 0: its figures for an account are whatever the test sets."""
    product = project.MockMarginProduct.deploy(engine, sender=gov)
    engine.listMarginProduct(product, sender=gov)
    return product


@pytest.fixture(scope="module")
def params(book, engine, tokens, chain):
    return fetch_risk_params(engine, chain.blocks.head.number)


@pytest.fixture(scope="module")
def max_ages(params, oracle, chain):
    return fetch_max_price_ages(oracle, sorted(params.assets()), chain.blocks.head.number)


def test_fetch_risk_params__reads_the_listed_collateral_and_markets(params, tokens, book):
    """The loader reads what the fixtures listed: the `support.core` parameters, keyed by token address."""
    address = {s: tokens[s].address for s in SYMBOLS}
    assert params.settlement_asset == address["USDC"]
    assert params.margin_products == (book.address,)
    assert params.settlement_decimals == DECIMALS["USDC"]
    assert params.collateral_order == tuple(address[s] for s in COLLATERAL)
    assert params.collateral == {address[s]: RISK_PARAMS.collateral[s] for s in COLLATERAL}
    for market, risk in RISK_PARAMS.markets.items():
        assert params.markets[market].asset == address[risk.asset]
        assert (params.markets[market].initial_margin_bps, params.markets[market].maintenance_margin_bps) == (
            risk.initial_margin_bps,
            risk.maintenance_margin_bps,
        )
        assert params.markets[market].stress_shock_bps == risk.stress_shock_bps


def test_empty_account__health_is_zero_and_not_liquidatable(
    params, engine, pool, oracle, max_ages, stranger, chain
):
    block = chain.blocks.head.number
    account = fetch_account(engine, params, stranger.address, block)
    assert account == AccountState()
    assert account.is_empty
    h = health(
        account, params, fetch_prices(oracle, max_ages, block, max_ages), fetch_borrow_index(pool, block)
    )
    assert h == Health.from_chain(engine.health(stranger, block_id=block)) == Health(0, 0, 0, 0, 0, False)


# ---------------------------------------------------------------- the differential property


def stress_capacity_usd(basket: dict[str, int]) -> float:
    """What a basket ({symbol: USD}) leaves after its initial haircut and its stress shock: the engine's stress check
    bounds the debt plus the positions' stress loss by this (USDC cash takes neither)."""
    total = 0.0
    for symbol, usd in basket.items():
        if symbol == "USDC":
            total += usd
        else:
            initial_hc, _, shock, _ = COLLATERAL[symbol]
            total += usd * (1 - initial_hc / 10_000) * (1 - shock / 10_000)
    return total


def edge_answer(account, market, long, engine, pool, oracle, params, max_ages, chain) -> int | None:
    """The 8-decimal feed answer of `market`'s asset, moving against the position, at which `account` turns
    liquidatable with everything else as it is now (bisection on `ballast.risk`; None if it never does)."""
    block = chain.blocks.head.number
    books = fetch_account(engine, params, account, block)
    prices = fetch_prices(oracle, max_ages, block, max_ages)
    index = fetch_borrow_index(pool, block)
    asset = params.markets[market].asset
    unit = 10 ** (18 - FEED_DECIMALS)

    def liquidatable_at(answer: int) -> bool:
        p = replace(prices[asset], median=answer * unit, twap=answer * unit)
        return health(books, params, {**prices, asset: p}, index).liquidatable

    near = prices[asset].median // unit
    far = 1 if long else near * 100
    if not books.positions or liquidatable_at(near) or not liquidatable_at(far):
        return None
    while abs(far - near) > 1:
        mid = (near + far) // 2
        near, far = (near, mid) if liquidatable_at(mid) else (mid, far)
    return far


BASKETS = st.dictionaries(st.sampled_from(SYMBOLS), st.integers(200, 30_000), min_size=1, max_size=4)
POSITIONS = st.lists(
    st.tuples(st.sampled_from([WETH_PERP, WBTC_PERP]), st.booleans(), st.integers(50, 100)),
    min_size=1,
    max_size=2,
    unique_by=lambda p: p[0],
)
MOVES = st.dictionaries(st.sampled_from(SYMBOLS), st.integers(50, 150), max_size=4)
USD = st.integers(-2_000, 2_000)
#: A margin product position: the cash its opening moves (USD), then its figures (maintenance value, maintenance
#: margin, initial value, initial margin, stress loss; USD) after the prices moved.
PRODUCT = st.none() | st.tuples(
    st.integers(-20, 20), USD, st.integers(0, 500), USD, st.integers(0, 500), st.integers(0, 500)
)


def product_action(cash_usd: int) -> bytes:
    """A MockMarginProduct action that moves `cash_usd` and opens a position whose figures are all zero (reducing
    nothing: only the maintenance check, which an account without positions passes)."""
    action = (cash_usd * 10**18, False, 10**18, (0, 0, 0, 0, 0))
    return encode(["(int256,bool,uint256,(int256,uint256,int256,uint256,uint256))"], [action])


# A one-tick 50 % move of the settlement asset and of the only collateral (both Deviated): the liquidation view counts
# the collateral's lower price where the health view counts none.
@example(
    basket={"USDC": 200, "WBTC": 200},
    borrow_pct=0,
    positions=[(WETH_PERP, False, 50)],
    moves={"USDC": 50, "WBTC": 50, "WETH": 100},
    crash=0,
    settle=False,
    to_edge=False,
    beyond=0,
    elapsed=0,
    product=None,
)
# All the cash withdrawn, then a product action that pays a premium of 1 USD: the account keeps a dollar after it.
@example(
    basket={"USDC": 200},
    borrow_pct=0,
    positions=[(WETH_PERP, False, 50)],
    moves={},
    crash=0,
    settle=False,
    to_edge=False,
    beyond=0,
    elapsed=0,
    product=(-1, 0, 0, 0, 0, 0),
)
@given(
    basket=BASKETS,
    borrow_pct=st.integers(0, 60),
    positions=POSITIONS,
    moves=MOVES,
    crash=st.integers(0, 40),
    settle=st.booleans(),
    to_edge=st.booleans(),
    beyond=st.integers(0, 10),
    elapsed=st.sampled_from([0, 1, 600, 3_599, 3_601, 86_400 * 30]),
    product=PRODUCT,
)
def test_risk_health__random_accounts_and_prices__equals_engine_health_to_the_wei(
    chain,
    funded,
    params,
    max_ages,
    engine,
    pool,
    oracle,
    feeds,
    tokens,
    gov,
    fresh,
    basket,
    borrow_pct,
    positions,
    moves,
    crash,
    settle,
    to_edge,
    beyond,
    elapsed,
    product,
    book,
):
    with isolated(chain):
        # The account: a basket, maybe a loan, then positions sized well within the stress check.
        for symbol, usd in basket.items():
            engine.deposit(tokens[symbol], units(symbol, usd / PRICES[symbol]), fresh, sender=fresh)
        capacity = stress_capacity_usd(basket)
        cash = basket.get("USDC", 0)  # a withdrawal spends the credit first, then borrows
        loan = int(cash + (capacity - cash) * borrow_pct / 200)
        if product is not None and loan >= sum(basket.values()) + min(product[0], 0):
            # An account left holding nothing cannot hold a product: its position margins at least 1 wei, so with no
            # equity it is liquidatable and the engine refuses it (BelowMaintenance). Keep a dollar of cash after the
            # premium the product action pays (a negative cash move).
            loan = sum(basket.values()) + min(product[0], 0) - 1
        if loan:
            engine.withdraw(tokens["USDC"], units("USDC", loan), fresh, sender=fresh)
        if product is not None:
            engine.tradeProduct(0, product_action(product[0]), sender=fresh)
            loan -= product[0]  # a premium paid (or received) moved the cash the same way
        budget = (capacity - loan) / 0.2 * 0.9  # notional the 20 % market shock leaves room for (fees aside)
        for market, long, pct in positions:
            step = MARKETS[market][6] * 10
            size = wad(budget * pct / 100 / len(positions) / PRICES[MARKET_ASSET[market]]) // step * step
            if size:
                engine.modifyPosition(market, size if long else -size, MAX_UINT if long else 0, sender=fresh)

        # Prices move, the first position's asset by `crash` percent against it: settled (median = TWAP, Ok) or one
        # tick (the TWAP lags: low < high, maybe Deviated).
        market, long, _ = positions[0]
        moves = {**moves, MARKET_ASSET[market]: 100 - crash if long else 100 + crash}
        for symbol, pct in moves.items():
            feeds[symbol].setAnswer(PRICES[symbol] * 10**FEED_DECIMALS * pct // 100, sender=gov)
            if not settle:
                oracle.update(tokens[symbol], sender=gov)
        if settle:
            settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in moves}, TWAP_WINDOW, gov)
        if to_edge:  # then move it to where the account turns liquidatable, and `beyond` percent further
            answer = edge_answer(fresh.address, market, long, engine, pool, oracle, params, max_ages, chain)
            if answer is not None:
                answer = answer * (100 - beyond if long else 100 + beyond) // 100
                feeds[MARKET_ASSET[market]].setAnswer(answer, sender=gov)
                asset = tokens[MARKET_ASSET[market]]
                settle_prices(chain, oracle, {asset: [feeds[MARKET_ASSET[market]]]}, TWAP_WINDOW, gov)
        if product is not None:  # the product's figures moved with the prices
            figures = tuple(v * 10**18 for v in product[1:])
            book.setRisk(fresh, figures, 10**18, sender=gov)
        before = chain.blocks.head
        prices_before = fetch_prices(oracle, max_ages, before.number, max_ages)

        # Time passes: borrow fees accrue, stored prices may turn stale.
        if elapsed:
            chain.mine(1, timestamp=before.timestamp + elapsed)
        head = chain.blocks.head
        block = head.number

        account = fetch_account(engine, params, fresh.address, block)
        prices = fetch_prices(oracle, max_ages, block, max_ages)
        index = fetch_borrow_index(pool, block)
        ours = health(account, params, prices, index)
        theirs = Health.from_chain(engine.health(fresh, block_id=block))
        assert ours == theirs
        event("liquidatable" if ours.liquidatable else "healthy")
        event("median != TWAP" if any(p.low != p.high for p in prices.values()) else "median == TWAP")
        event("debt" if account.scaled_debt else "no debt")
        event(f"{len(account.positions)} positions")
        event("margin product" if account.products else "no margin product")

        # One snapshot read gives the same books, prices and index.
        snapshot = fetch_snapshot(engine, pool, oracle, params, [fresh.address], block, max_ages)
        assert (snapshot.accounts[fresh.address], snapshot.prices, snapshot.borrow_index) == (
            account,
            prices,
            index,
        )

        # The status the keeper predicts from the earlier read is the one the oracle reports now.
        assert {a: p.status_at(head.timestamp) for a, p in prices_before.items()} == {
            a: p.status for a, p in prices.items()
        }

        # The liquidation view: when every price it reads is priced for an exit, the same maintenance figures and
        # verdict, with each collateral's lower price counted whatever its status; a revert otherwise.
        blockers = liquidation_blockers(account, params, prices)
        if blockers:
            event("liquidation blocked by a stale price")
            assert all(prices[a].status == PriceStatus.STALE for a in blockers)
            with ape.reverts(oracle.PriceUnavailable):
                engine.liquidationHealth(fresh, block_id=block)
        else:
            judged = liquidation_health(account, params, prices, index)
            assert Health.from_chain(engine.liquidationHealth(fresh, block_id=block)) == judged
            assert (judged.maintenance_equity, judged.maintenance_margin, judged.liquidatable) == (
                ours.maintenance_equity,
                ours.maintenance_margin,
                ours.liquidatable,
            )


# ---------------------------------------------------------------- maintenance ramps


def test_fetch_risk_params__during_a_ramp__holds_the_values_in_force_and_equals_engine_health(
    chain, funded, engine, pool, oracle, tokens, gov, fresh, max_ages
):
    """Half way through a governance rise of WETH-PERP's maintenance margin (5 % -> 30 %) and of WETH's maintenance
    haircut (+10 points), the loader holds the values in force, not the targets, says they ramp, and the mirror's
    health equals the engine's to the wei."""
    with isolated(chain):
        engine.deposit(tokens["WETH"], units("WETH", 10), fresh, sender=fresh)
        engine.modifyPosition(WETH_PERP, wad(20), MAX_UINT, sender=fresh)
        weth = tokens["WETH"]
        market = list(MARKETS[WETH_PERP])
        market[0], market[1], market[2] = weth.address, 3_500, 3_000
        engine.setMarketParams(WETH_PERP, tuple(market), sender=gov)
        initial, maint, shock, cap = COLLATERAL["WETH"]
        engine.setCollateralParams(weth, (initial + 1_000, maint + 1_000, shock, cap), sender=gov)
        ramp = engine.marketRamp(WETH_PERP)
        chain.pending_timestamp = (ramp.start + ramp.end) // 2
        chain.mine()
        block = chain.blocks.head.number

        params = fetch_risk_params(engine, block)
        in_force = engine.marketRamp(WETH_PERP, block_id=block).currentBps
        haircut = engine.collateralRamp(weth, block_id=block).currentBps
        assert params.ramping
        assert MARKETS[WETH_PERP][2] < in_force < 3_000
        assert maint < haircut < maint + 1_000
        assert params.markets[WETH_PERP].maintenance_margin_bps == in_force
        assert params.collateral[weth.address].maint_haircut_bps == haircut
        account = fetch_account(engine, params, fresh.address, block)
        prices = fetch_prices(oracle, max_ages, block, max_ages)
        mirror = health(account, params, prices, fetch_borrow_index(pool, block))
        assert mirror == Health.from_chain(engine.health(fresh, block_id=block))

        chain.pending_timestamp = max(ramp.end, engine.collateralRamp(weth).end)  # the later of the two ramps
        chain.mine()
        assert not fetch_risk_params(engine, chain.blocks.head.number).ramping
