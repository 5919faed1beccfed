"""Keeper fixtures: the whole core (`support.core_fixtures`: four assets, two markets, a seeded pool), traders that
open accounts, and keepers built on a temporary state file."""

import pytest

from ballast.keepers.liquidation import LiquidationKeeper, LiquidationKeeperConfig
from ballast.prices import restamp_and_update

from support.core import FEED_DECIMALS, TWAP_WINDOW, WETH_PERP, units, wad
from support.core_fixtures import *  # noqa: F403  (pytest registers the fixtures a conftest imports)


@pytest.fixture(scope="module")
def traders(accounts):
    """`traders(n)`: n fresh accounts with ether for gas."""

    def _traders(n: int):
        fresh = []
        for _ in range(n):
            account = accounts.generate_test_account()
            account.balance = 10**21
            fresh.append(account)
        return fresh

    return _traders


@pytest.fixture(scope="module")
def open_long(engine, post):
    """`open_long(account, collateral_weth, size_weth)`: post WETH and open a WETH long at any price."""

    def _open(account, collateral_weth: float, size_weth: float):
        post(account, "WETH", units("WETH", collateral_weth))
        engine.modifyPosition(WETH_PERP, wad(size_weth), wad(10**6), sender=account)

    return _open


@pytest.fixture(scope="module")
def crash(feeds, oracle, tokens, gov, chain):
    """`crash(symbol, usd, after_block)`: set the feed, then update the oracle three times a TWAP window apart
    (statuses end `Ok`), calling `after_block()` after every block, as a bot does on new blocks."""

    def _crash(symbol: str, usd: float, after_block=lambda: None):
        feeds[symbol].setAnswer(int(usd * 10**FEED_DECIMALS), sender=gov)
        after_block()
        for _ in range(3):
            restamp_and_update(oracle, {tokens[symbol]: [feeds[symbol]]}, gov)  # two blocks
            after_block()
            chain.pending_timestamp += TWAP_WINDOW + 1

    return _crash


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "keeper-state.json"


@pytest.fixture
def sleeps():
    """The delays a keeper asked to sleep (tests do not wait)."""
    return []


@pytest.fixture
def make_keeper(engine, liquidator, oracle, pool, keeper, state_path, sleeps):
    """`make_keeper(**config)`: a liquidation keeper sending from `keeper`, with its state in `state_path`."""

    def _make(**overrides):
        config = LiquidationKeeperConfig(**{"sender": keeper, "state_path": state_path, **overrides})
        return LiquidationKeeper(engine, liquidator, oracle, pool, config, sleep=sleeps.append)

    return _make
