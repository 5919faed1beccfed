"""Every MarginEngine error not covered elsewhere, each with the values it carries."""

import ape
from engine_setup import (
    COLLATERAL,
    FEED_DECIMALS,
    MARKETS,
    MAX_PRICE_AGE,
    TWAP_WINDOW,
    WBTC_PERP,
    WETH_PERP,
    open_long_weth,
    units,
    wad,
)

MAX_PER_ACCOUNT = 8
ADD_RISK, FROZEN = 0, 3  # IOracleAggregator.Action.AddRisk, Status.Frozen


def test_list_collateral__listed_or_settlement_asset__reverts_already_listed(seeded, engine, tokens, admin):
    with ape.reverts(engine.CollateralAlreadyListed, asset=tokens["WETH"].address):
        engine.listCollateral(tokens["WETH"], COLLATERAL["WETH"], sender=admin)
    with ape.reverts(engine.CollateralAlreadyListed, asset=tokens["USDC"].address):
        engine.listCollateral(tokens["USDC"], COLLATERAL["WETH"], sender=admin)


def test_modify_position__unknown_market__reverts_market_not_listed(seeded, engine, trader):
    with ape.reverts(engine.MarketNotListed, market=len(MARKETS)):
        engine.modifyPosition(len(MARKETS), wad(1), wad(10**6), sender=trader)


def test_withdraw__more_than_the_balance__reverts_insufficient_collateral(
    seeded, engine, post, trader, tokens
):
    post(trader, "WETH", units("WETH", 2))
    with ape.reverts(
        engine.InsufficientCollateral,
        asset=tokens["WETH"].address,
        requested=units("WETH", 3),
        available=units("WETH", 2),
    ):
        engine.withdraw(tokens["WETH"], units("WETH", 3), trader, sender=trader)


def test_deposit__above_the_supply_cap__reverts_supply_cap_exceeded(
    seeded, engine, post, trader, tokens, admin
):
    initial, maint, shock, _ = COLLATERAL["WETH"]
    engine.setCollateralParams(tokens["WETH"], (initial, maint, shock, units("WETH", 5)), sender=admin)
    post(trader, "WETH", units("WETH", 4))
    with ape.reverts(
        engine.SupplyCapExceeded,
        asset=tokens["WETH"].address,
        totalAfter=units("WETH", 6),
        cap=units("WETH", 5),
    ):
        post(trader, "WETH", units("WETH", 2))


def test_modify_position__beyond_the_open_interest_cap__reverts(seeded, engine, post, trader, tokens, admin):
    asset, imf, mmf, shock, fee, reserve, min_size, _, short_cap = MARKETS[WETH_PERP]
    market = engine.marketCount()
    engine.listMarket(
        (tokens[asset], imf, mmf, shock, fee, reserve, min_size, wad(5), short_cap), sender=admin
    )
    post(trader, "WETH", units("WETH", 10))
    engine.modifyPosition(market, wad(4), wad(10**6), sender=trader)
    with ape.reverts(engine.OpenInterestCapExceeded, market=market, openInterest=wad(6), cap=wad(5)):
        engine.modifyPosition(market, wad(2), wad(10**6), sender=trader)


def test_modify_position__partial_reduce_left_below_maintenance__reverts(
    seeded, engine, post, trader, move_price
):
    open_long_weth(engine, trader, post, 10, 4)
    move_price({"WETH": 2_270})
    health = engine.health(trader)
    assert health.liquidatable
    with ape.reverts(engine.BelowMaintenance):
        engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=trader)
    engine.modifyPosition(WETH_PERP, -wad(10), 0, sender=trader)  # a full close always goes through
    assert engine.position(trader, WETH_PERP).size == 0


def test_list_collateral__pool_asset_cap__keeps_accounts_under_their_collateral_cap(
    seeded, project, engine, pool, oracle, trader, admin, tokens
):
    """Collateral must be a pool asset and the Pool lists at most 8 assets, the settlement asset first, so an
    account can hold at most 7 collateral assets: the engine's own cap of 8 (`TooManyCollateralAssets`) is a second
    bound that only a Pool listing more assets could reach."""
    listed = dict(tokens)
    for i in range(8):
        token = project.MockERC20.deploy(f"X{i}", f"X{i}", 18, sender=admin)
        feed = project.MockFeed.deploy(FEED_DECIMALS, 10**FEED_DECIMALS, f"X{i}", sender=admin)
        config = ([(feed.address, 86_400, 1, 10**18)], 1, 500, 500, TWAP_WINDOW, MAX_PRICE_AGE, 16)
        oracle.setAssetConfig(token, config, sender=admin)
        oracle.update(token, sender=admin)
        if len(pool.assets()) == MAX_PER_ACCOUNT:
            with ape.reverts(pool.TooManyAssets, max=MAX_PER_ACCOUNT):
                pool.listAsset(token, (0, 10_000, 0, 0, 2**127), sender=admin)
            break
        pool.listAsset(token, (0, 10_000, 0, 0, 2**127), sender=admin)
        engine.listCollateral(token, COLLATERAL["WETH"], sender=admin)
        listed[f"X{i}"] = token
    collateral = [symbol for symbol in listed if symbol != "USDC"]
    assert len(collateral) == MAX_PER_ACCOUNT - 1
    for symbol in collateral:
        listed[symbol].mint(trader, 10**18, sender=trader)
        listed[symbol].approve(engine, 10**18, sender=trader)
        engine.deposit(listed[symbol], 10**18, trader, sender=trader)
    assert bin(engine.accountMasks(trader)[0]).count("1") == MAX_PER_ACCOUNT - 1


def test_modify_position__ninth_market__reverts_too_many(seeded, engine, post, trader, tokens, admin):
    asset, *rest = MARKETS[WETH_PERP]
    for _ in range(MAX_PER_ACCOUNT + 1 - len(MARKETS)):
        engine.listMarket((tokens[asset], *rest), sender=admin)
    post(trader, "USDC", units("USDC", 100_000))
    for market in range(MAX_PER_ACCOUNT):
        engine.modifyPosition(market, wad(0.1), wad(10**6), sender=trader)
    assert bin(engine.accountMasks(trader)[1]).count("1") == MAX_PER_ACCOUNT
    with ape.reverts(engine.TooManyMarkets, account=trader, max=MAX_PER_ACCOUNT):
        engine.modifyPosition(MAX_PER_ACCOUNT, wad(0.1), wad(10**6), sender=trader)


def test_withdraw__a_held_market_price_frozen__reverts_price_unavailable(
    seeded, engine, oracle, post, trader, tokens, guardian
):
    """docs/design.md#oracle-policy: new risk needs every price it rests on Ok. A frozen market price could hide the
    position's loss, so withdrawing other collateral against it is refused (closing or adding collateral still
    works)."""
    post(trader, "WETH", units("WETH", 10))
    engine.modifyPosition(WBTC_PERP, wad(0.1), wad(10**7), sender=trader)
    oracle.setFrozen(tokens["WBTC"], True, sender=guardian)

    with ape.reverts(oracle.PriceUnavailable, asset=tokens["WBTC"].address, action=ADD_RISK, status=FROZEN):
        engine.withdraw(tokens["WETH"], units("WETH", 1), trader, sender=trader)
    post(trader, "WETH", units("WETH", 1))
    oracle.setFrozen(tokens["WBTC"], False, sender=guardian)
    engine.withdraw(tokens["WETH"], units("WETH", 1), trader, sender=trader)
    assert engine.collateralBalance(trader, tokens["WETH"]) == units("WETH", 10)


def test_modify_position__settlement_price_frozen__opening_reverts_price_unavailable(
    seeded, engine, oracle, post, trader, tokens, guardian
):
    """Every margin figure is in settlement units: with the settlement asset frozen nothing new can be opened."""
    post(trader, "WETH", units("WETH", 10))
    oracle.setFrozen(tokens["USDC"], True, sender=guardian)

    with ape.reverts(oracle.PriceUnavailable, asset=tokens["USDC"].address, action=ADD_RISK, status=FROZEN):
        engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader)
    oracle.setFrozen(tokens["USDC"], False, sender=guardian)
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader)
    assert engine.position(trader, WETH_PERP).size == wad(1)
