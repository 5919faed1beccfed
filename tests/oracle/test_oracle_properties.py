"""OracleAggregator properties on random inputs: the median stays within the fresh answers, the TWAP within the
prices of its window.

Each example runs inside `chain.isolate()`. The example count comes from the hypothesis profile (tests/conftest.py):
`default` for `make test`, HYPOTHESIS_PROFILE=deep for a long exploration.
"""

import statistics
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

HEARTBEAT = 3_600
MIN_WINDOW = 600  # the `oracle` fixture's minTwapWindow

# One source: (answer in micro-USD, feed decimals, fresh or older than the heartbeat).
sources_strategy = st.lists(
    st.tuples(st.integers(1, 10**11), st.sampled_from([6, 8, 18]), st.booleans()),
    min_size=1,
    max_size=8,
).filter(lambda sources: any(fresh for _, _, fresh in sources))

# One update: (answer of an 8-decimal feed, seconds since the previous update).
steps_strategy = st.lists(
    st.tuples(st.integers(100, 10**15), st.integers(1, 3_000)),
    min_size=1,
    max_size=10,
)


@given(sources=sources_strategy)
def test_update__random_answers__median_lies_within_fresh_answers(
    oracle, weth, feeds, asset_config, gov, keeper, chain, sources
):
    with chain.isolate():
        t = chain.blocks.head.timestamp + 60
        config_sources = []
        for feed, (micro_usd, decimals, fresh) in zip(feeds, sources, strict=False):
            if decimals != feed.decimals():
                feed.setDecimals(decimals, sender=gov)
            updated_at = t if fresh else t - HEARTBEAT - 1
            feed.setRoundData(2, micro_usd * 10 ** (decimals - 6), updated_at, sender=gov)
            config_sources.append((feed.address, HEARTBEAT, 10 ** (decimals - 6), 10 ** (decimals + 7)))
        config = asset_config(config_sources, quorum=1, max_dispersion_bps=10_000, max_deviation_bps=10_000)
        oracle.setAssetConfig(weth, config, sender=gov)

        chain.pending_timestamp = t
        tx = oracle.update(weth, sender=keeper)

        fresh_answers = [micro_usd * 10**12 for micro_usd, _, fresh in sources if fresh]
        (event,) = tx.events.filter(oracle.PriceUpdated)
        assert min(fresh_answers) <= event.median <= max(fresh_answers)
        # The mean of the middle two for an even count, rounded down.
        assert event.median == int(statistics.median([Fraction(answer) for answer in fresh_answers]))
        assert event.freshSources == len(fresh_answers)
        assert len(tx.events.filter(oracle.SourceExcluded)) == len(sources) - len(fresh_answers)
        assert oracle.median(weth) == event.median


@given(
    steps=steps_strategy,
    buffer_size=st.integers(3, 6),
    window=st.integers(MIN_WINDOW, 7_200),
    wait=st.integers(0, 3_000),
)
def test_twap__random_price_path__lies_within_prices_of_its_window(
    oracle,
    weth,
    feeds,
    asset_config,
    gov,
    keeper,
    chain,
    price_history,
    steps,
    buffer_size,
    window,
    wait,
):
    feed = feeds[0]
    with chain.isolate():
        config = asset_config(
            [feed],
            twap_window=window,
            buffer_size=buffer_size,
            max_dispersion_bps=10_000,
            max_deviation_bps=10_000,
        )
        oracle.setAssetConfig(weth, config, sender=gov)
        history = price_history(buffer_size, window)
        t = chain.blocks.head.timestamp + 60
        for i, (answer, seconds) in enumerate(steps):
            t += seconds
            feed.setRoundData(i + 2, answer, t, sender=gov)
            chain.pending_timestamp = t
            tx = oracle.update(weth, sender=keeper)
            history.record(t, answer * 10**10)

            (event,) = tx.events.filter(oracle.PriceUpdated)
            prices = history.prices_in_stored_window(t, window)
            assert min(prices) <= event.twap <= max(prices)
            assert event.twap == history.stored_twap(t, window)

        now = t + wait
        if wait:
            chain.mine(timestamp=now)
        for query in sorted({MIN_WINDOW, window, 2 * window}):
            prices = history.prices_in_window(now, query)
            twap = oracle.twap(weth, query)
            assert min(prices) <= twap <= max(prices)
            assert twap == history.twap(now, query)
