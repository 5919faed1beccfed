"""Fixtures of the whole core, deployed by `ballast.system.deploy_core` on four assets with one feed each, two
perpetual markets, and a pool seeded by an LP. Shared by the suites that test the whole core: the conftests of
tests/engine, tests/keepers and tests/attacks import them (pytest registers the fixtures a conftest imports)."""

import pytest

from ballast.mocks import Terms, deploy_mocks, one_feed
from ballast.prices import restamp_and_update, settle_prices
from ballast.system import CoreParams, Roles, deploy_core

from support.core import COLLATERAL, FEED_DECIMALS, MARKETS, MAX_PRICE_AGE, PRICES, TWAP_WINDOW, units
from support.fixtures import *  # noqa: F403  (the contract fixtures of `core`)


@pytest.fixture(scope="module")
def tokens(project, gov):
    return {
        s: project.MockERC20.deploy(s, s, d, sender=gov)
        for s, d in (("USDC", 6), ("WBTC", 8), ("WETH", 18), ("LTT", 18))
    }


@pytest.fixture(scope="module")
def oracle(project, gov, guardian):
    return project.OracleAggregator.deploy(gov, guardian, 60, sender=gov)


@pytest.fixture(scope="module")
def feeds(project, gov, oracle, tokens):
    terms = Terms(1, 500, 500, TWAP_WINDOW, MAX_PRICE_AGE, 16)
    feeds = {}
    for symbol, token in tokens.items():
        asset = one_feed(symbol, token.decimals(), PRICES[symbol] * 10**FEED_DECIMALS, terms)
        feeds[symbol] = deploy_mocks(project, gov, [asset], oracle=oracle, tokens=tokens).feeds[symbol][0]
    return feeds


@pytest.fixture(scope="module")
def core(project, gov, risk_manager, guardian, oracle, tokens, feeds):
    core = deploy_core(project, gov, oracle, tokens["USDC"], Roles(gov, risk_manager, guardian), CoreParams())
    for symbol, target in (("USDC", 5_000), ("WBTC", 2_500), ("WETH", 2_500), ("LTT", 0)):
        core.pool.listAsset(tokens[symbol], (target, 10_000, 0, 0, 2**127), sender=gov)
    for symbol, params in COLLATERAL.items():
        core.engine.listCollateral(tokens[symbol], params, sender=gov)
    for market in sorted(MARKETS):
        symbol, *rest = MARKETS[market]
        core.engine.listMarket((tokens[symbol], *rest), sender=gov)
    return core


@pytest.fixture(scope="module")
def seeded(core, tokens, lp, chain):
    """$1M USDC, $500k WBTC and $500k WETH of LP liquidity."""
    for symbol, usd in (("USDC", 1_000_000), ("WBTC", 500_000), ("WETH", 500_000)):
        amount = units(symbol, usd / PRICES[symbol])
        tokens[symbol].mint(lp, amount, sender=lp)
        tokens[symbol].approve(core.pool, amount, sender=lp)
        core.pool.deposit(tokens[symbol], amount, 0, lp, sender=lp)
    return core


@pytest.fixture(scope="module")
def post(engine, tokens):
    """Mint `amount` of `symbol` to `account` and deposit it into the engine for that account."""

    def _post(account, symbol: str, amount: int):
        token = tokens[symbol]
        token.mint(account, amount, sender=account)
        token.approve(engine, amount, sender=account)
        return engine.deposit(token, amount, account, sender=account)

    return _post


@pytest.fixture(scope="module")
def move_price(oracle, feeds, tokens, gov, chain):
    """Set each `symbol` to its price and let the TWAPs catch up (status back to Ok)."""

    def _move(prices: dict[str, float]):
        for symbol, price in prices.items():
            feeds[symbol].setAnswer(int(price * 10**FEED_DECIMALS), sender=gov)
        # Only the moved assets' TWAPs need the windows to catch up; the others, whose price held, are restamped and
        # updated once at the final time (fresh, TWAP equal to the median: status Ok), which halves the transactions.
        settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in prices}, TWAP_WINDOW, gov)
        restamp_and_update(oracle, {tokens[s]: [feeds[s]] for s in tokens if s not in prices}, gov)

    return _move


@pytest.fixture(scope="module")
def settle(feeds, oracle, tokens, gov, chain):
    """Set each symbol's feed (8 decimals) and settle those assets' TWAPs on it (status `Ok`)."""

    def _settle(prices: dict[str, int]):
        for symbol, price in prices.items():
            feeds[symbol].setAnswer(price, sender=gov)
        settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in prices}, TWAP_WINDOW, gov)

    return _settle
