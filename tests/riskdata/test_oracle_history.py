"""The oracle's own history: the medians of `PriceUpdated` events for one asset over a block range, on a local
deployment of the OracleAggregator with two mock-fed assets."""

import pytest

from ballast.mocks import FEED_DECIMALS, MockAsset, Source, Terms, deploy_mocks
from ballast.riskdata.history import load_oracle_events

TERMS = Terms(1, 5_000, 5_000, 600, 3_600, 16)
HEARTBEAT = 3_600


@pytest.fixture(scope="module")
def oracle_mocks(project, gov, guardian):
    oracle = project.OracleAggregator.deploy(gov, guardian, 60, sender=gov)
    assets = [
        MockAsset(s, 18, (Source(FEED_DECIMALS, p * 10**FEED_DECIMALS, s, HEARTBEAT),), TERMS)
        for s, p in (("WETH", 3_000), ("WBTC", 60_000))
    ]
    return deploy_mocks(project, gov, assets, oracle=oracle)


@pytest.fixture(scope="module")
def oracle_updates(oracle_mocks, chain, gov):
    """WETH at 3,100, 2,900, a Stale update (the feed's answer older than its heartbeat) and 3,050, a minute apart
    but the stale one; WBTC moved in between. Returns the first block and each update's (block, timestamp)."""
    oracle, feeds, tokens = oracle_mocks.oracle, oracle_mocks.feeds, oracle_mocks.tokens
    first = chain.blocks.head.number + 1
    updates = []
    for price in (3_100, 2_900, None, 3_050):
        if price is None:
            chain.pending_timestamp += HEARTBEAT + 1  # no new answer: the update finds none fresh
        else:
            chain.pending_timestamp += 60
            feeds["WETH"][0].setAnswer(price * 10**FEED_DECIMALS, sender=gov)
        receipt = oracle.update(tokens["WETH"], sender=gov)
        updates.append((receipt.block_number, chain.blocks[receipt.block_number].timestamp))
        feeds["WBTC"][0].setAnswer(61_000 * 10**FEED_DECIMALS, sender=gov)
        oracle.update(tokens["WBTC"], sender=gov)
    return first, updates


def test_load_oracle_events__block_range__gives_the_stored_medians_at_their_block_times(
    oracle_mocks, oracle_updates, chain
):
    first, updates = oracle_updates
    history = load_oracle_events(
        oracle_mocks.oracle, oracle_mocks.tokens["WETH"], first, chain.blocks.head.number, symbol="WETH"
    )
    assert history.asset == "WETH"
    assert list(history.prices) == [3_100.0, 2_900.0, 3_050.0]  # the Stale update kept 2,900: left out
    assert list(history.timestamps) == [updates[0][1], updates[1][1], updates[3][1]]
    assert "PriceUpdated" in history.source


def test_load_oracle_events__range_start__leaves_out_earlier_updates(oracle_mocks, oracle_updates, chain):
    _, updates = oracle_updates
    history = load_oracle_events(
        oracle_mocks.oracle, oracle_mocks.tokens["WETH"], updates[1][0], chain.blocks.head.number
    )
    assert list(history.prices) == [2_900.0, 3_050.0]
    assert history.asset == str(oracle_mocks.tokens["WETH"].address)


def test_load_oracle_events__stale_update__is_emitted_with_status_stale(oracle_mocks, oracle_updates):
    _, updates = oracle_updates
    stale_block = updates[2][0]
    logs = list(oracle_mocks.oracle.PriceUpdated.range(stale_block, stale_block + 1))
    weth = [log for log in logs if log.asset == oracle_mocks.tokens["WETH"].address]
    assert [int(log.status) for log in weth] == [2]  # Status.Stale: the loader's reason to skip it
    assert int(weth[0].median) == 2_900 * 10**18
