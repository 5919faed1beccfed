"""Pool and InsuranceFund fixtures: three assets with oracle feeds, a MockEngine standing in for the
MarginEngine and the Liquidator, and the Pool and InsuranceFund wired to each other and to the shared lock."""

import pytest

from ballast.mocks import Terms, deploy_mocks, one_feed
from ballast.system import CoreParams, Roles, deploy_with_stand_in

from support.fixtures import *  # noqa: F403  (the contract fixtures of `core`)
from support.fixtures import account_fixture
from support.pool import (
    COOLDOWN,
    DECIMALS,
    FEED_DECIMALS,
    INSURANCE_TARGET,
    MAX_PRICE_AGE,
    MAX_UTILIZATION_BPS,
    MIN_TWAP_WINDOW,
    PRICES,
    RATE_MODEL,
    TWAP_WINDOW,
    asset_params,
    units,
)

TERMS = Terms(1, 500, 500, TWAP_WINDOW, MAX_PRICE_AGE, 8)

lp2 = account_fixture("lp2", 2)


@pytest.fixture(scope="module")
def tokens(project, gov):
    names = {"USDC": "USD Coin", "WBTC": "Wrapped BTC", "WETH": "Wrapped Ether"}
    return {s: project.MockERC20.deploy(names[s], s, DECIMALS[s], sender=gov) for s in names}


@pytest.fixture(scope="module")
def usdc(tokens):
    return tokens["USDC"]


@pytest.fixture(scope="module")
def wbtc(tokens):
    return tokens["WBTC"]


@pytest.fixture(scope="module")
def weth(tokens):
    return tokens["WETH"]


@pytest.fixture(scope="module")
def oracle(project, gov, guardian):
    return project.OracleAggregator.deploy(gov, guardian, MIN_TWAP_WINDOW, sender=gov)


@pytest.fixture(scope="module")
def list_in_oracle(project, gov, oracle):
    """List `token` in the oracle with one 8-decimal MockFeed at `price` USD; returns the feed."""

    def _list(token, price: float):
        asset = one_feed("X", 18, int(price * 10**FEED_DECIMALS), TERMS, label="feed")
        return deploy_mocks(project, gov, [asset], oracle=oracle, tokens={"X": token}).feeds["X"][0]

    return _list


@pytest.fixture(scope="module")
def feeds(tokens, list_in_oracle):
    return {s: list_in_oracle(tokens[s], PRICES[s]) for s in tokens}


@pytest.fixture(scope="module")
def core(project, gov, risk_manager, guardian, oracle, tokens, feeds):
    """The lock, a MockEngine (as MarginEngine and Liquidator), the Pool and the InsuranceFund, wired through
    immutables at predicted addresses."""
    params = CoreParams(
        rate_model=RATE_MODEL,
        max_utilization_bps=MAX_UTILIZATION_BPS,
        cooldown=COOLDOWN,
        insurance_target=INSURANCE_TARGET,
    )
    core = deploy_with_stand_in(
        project, gov, oracle, tokens["USDC"], Roles(gov, risk_manager, guardian), params
    )
    core.pool.listAsset(tokens["USDC"], asset_params(5_000), sender=gov)
    core.pool.listAsset(tokens["WBTC"], asset_params(2_500), sender=gov)
    core.pool.listAsset(tokens["WETH"], asset_params(2_500), sender=gov)
    return core


@pytest.fixture(scope="module")
def fund_account(tokens, pool):
    """Mint `amount` units of `symbol` to `account` and approve the pool."""

    def _fund(account, symbol: str, amount: int, spender=None):
        token = tokens[symbol]
        token.mint(account, amount, sender=account)
        token.approve(spender or pool, 2**256 - 1, sender=account)
        return token

    return _fund


@pytest.fixture(scope="module")
def deposit(pool, fund_account):
    """Fund `account` with `amount` units of `symbol` and deposit them; returns the receipt."""

    def _deposit(account, symbol: str, amount: int, receiver=None):
        token = fund_account(account, symbol, amount)
        return pool.deposit(token, amount, 0, receiver or account, sender=account)

    return _deposit


@pytest.fixture
def seeded_pool(pool, deposit, lp, chain):
    """A balanced pool: $1M USDC, $500k WBTC, $500k WETH from `lp`, past the cooldown."""
    deposit(lp, "USDC", units("USDC", 1_000_000))
    deposit(lp, "WBTC", units("WBTC", 500_000 / PRICES["WBTC"]))
    deposit(lp, "WETH", units("WETH", 500_000 / PRICES["WETH"]))
    chain.pending_timestamp += COOLDOWN + 1
    chain.mine()
    return pool


@pytest.fixture(scope="module")
def set_price(oracle, feeds, tokens, gov):
    """Set `symbol`'s feed to `price` USD now and update the oracle (median and TWAP follow after the window)."""

    def _set(symbol: str, price: float):
        feeds[symbol].setAnswer(int(price * 10**FEED_DECIMALS), sender=gov)
        oracle.update(tokens[symbol], sender=gov)

    return _set


@pytest.fixture(scope="module")
def refresh(oracle, feeds, tokens, gov):
    """Re-stamp every feed at its current answer and update the oracle, so prices are fresh after time travel."""

    def _refresh():
        for symbol, feed in feeds.items():
            feed.setAnswer(feed.answer(), sender=gov)
            oracle.update(tokens[symbol], sender=gov)

    return _refresh
