"""OracleAggregator: source checks, median, TWAP ring buffer, status, price policy, governance, and a PushFeed as a
source. The bounds of every `setAssetConfig` field, each with its error and accepted limit, are tested in
tests/forge/oracle/SetAssetConfig.t.sol; the PushFeed's own rules in tests/forge/pushfeed/.

Time is set explicitly for every update (`chain.pending_timestamp`), so TWAP values are exact. A TWAP observation
at time t accumulates the median stored before it times the seconds since the previous observation; a second
update at the same timestamp records none.
"""

from decimal import Decimal
from enum import IntEnum

import ape
import pytest

WAD = 10**18
HEARTBEAT = 3_600
TWAP_WINDOW = 1_800
MAX_PRICE_AGE = 3_600
MIN_WINDOW = 600  # the `oracle` fixture's minTwapWindow
UINT96_MAX = 2**96 - 1
# With automine off ape would give every transaction the whole block's gas; an explicit limit lets several share one.
GAS = 1_000_000


class Status(IntEnum):
    OK = 0
    DEVIATED = 1
    STALE = 2
    FROZEN = 3
    WIND_DOWN = 4


class Action(IntEnum):
    ADD_RISK = 0
    REDUCE = 1
    LIQUIDATE = 2
    VALUE = 3


class Exclusion(IntEnum):
    REVERTED = 0
    MALFORMED = 1
    NON_POSITIVE = 2
    ZERO_TIMESTAMP = 3
    FUTURE_TIMESTAMP = 4
    STALE = 5
    OUT_OF_BOUNDS = 6


def usd(amount, decimals=8) -> int:
    """`amount` USD in a feed's `decimals`."""
    return int(Decimal(str(amount)) * 10**decimals)


def wad(amount) -> int:
    return usd(amount, 18)


def python_median(values: list[int]) -> int:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) // 2


def update_at(oracle, asset, timestamp, sender):
    """Call `update` in a block mined at `timestamp`."""
    ape.chain.pending_timestamp = timestamp
    tx = oracle.update(asset, sender=sender)
    assert tx.timestamp == timestamp
    return tx


def mine_at(timestamp):
    """Mine an empty block at `timestamp`, so that views see that time."""
    ape.chain.mine(timestamp=timestamp)
    assert ape.chain.blocks.head.timestamp == timestamp


def in_one_block(timestamp, *calls):
    """Send `(method, args, sender)` calls as transactions of one block mined at `timestamp`; their receipts.

    Each sender sends at most one: ape takes the nonce from the latest block, not from the pending one.
    """
    senders = [sender for _, _, sender in calls]
    assert len(set(senders)) == len(senders)
    chain = ape.chain
    chain.provider.auto_mine = False
    try:
        sent = [method(*args, sender=sender, gas=GAS) for method, args, sender in calls]
        chain.mine(timestamp=timestamp)
    finally:
        chain.provider.auto_mine = True
    receipts = [chain.provider.get_receipt(tx.txn_hash) for tx in sent]
    assert {r.block_number for r in receipts} == {chain.blocks.head.number}
    assert not any(r.failed for r in receipts)
    return receipts


def price_updated(tx, oracle):
    (event,) = tx.events.filter(oracle.PriceUpdated)
    return event


def exclusions(tx, oracle):
    """(asset, feed, reason, answer, updatedAt) of every SourceExcluded event of `tx`."""
    return [
        (e.asset, e.feed, e.reason, e.answer, e.updatedAt) for e in tx.events.filter(oracle.SourceExcluded)
    ]


# ---------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def solo(oracle, weth, feeds, asset_config, gov, keeper, chain):
    """weth priced by feeds[0] alone (2000 USD): 10 % deviation bound, 1800 s TWAP, 3600 s max age; updated once.

    Returns the time of that update.
    """
    feeds[0].setAnswer(usd(2000), sender=gov)
    oracle.setAssetConfig(weth, asset_config([feeds[0]]), sender=gov)
    t0 = chain.blocks.head.timestamp + 60
    update_at(oracle, weth, t0, keeper)
    return t0


TRIO_BOUNDS = (usd(1000), usd(3000))


@pytest.fixture
def trio(oracle, weth, feeds, asset_config, gov, keeper, chain):
    """weth priced by feeds[0:3] answering 2000, 2100 and 2200 USD within bounds [1000, 3000] USD, quorum 2,
    dispersion and deviation unbounded (100 %); updated once (median 2100). Returns the time of that update.
    """
    for feed, answer in zip(feeds[:3], (2000, 2100, 2200), strict=True):
        feed.setAnswer(usd(answer), sender=gov)
    sources = [(feed.address, HEARTBEAT, *TRIO_BOUNDS) for feed in feeds[:3]]
    config = asset_config(sources, quorum=2, max_dispersion_bps=10_000, max_deviation_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=gov)
    t0 = chain.blocks.head.timestamp + 60
    update_at(oracle, weth, t0, keeper)
    return t0


@pytest.fixture(scope="module")
def push_feed(project, gov, keeper):
    """An 8-decimal PushFeed owned by `deployer` with `keeper` as its reporter."""
    feed = project.PushFeed.deploy(gov, 8, "ETH / USD (push)", sender=gov)
    feed.setReporter(keeper, True, sender=gov)
    return feed


# ---------------------------------------------------------------------------------------------------- deployment


def test_constructor__roles_and_min_window__are_set(oracle, gov, guardian, keeper):
    assert oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), gov)
    assert oracle.hasRole(oracle.GUARDIAN_ROLE(), guardian)
    assert not oracle.hasRole(oracle.GUARDIAN_ROLE(), gov)
    assert not oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), keeper)
    assert oracle.minTwapWindow() == MIN_WINDOW
    assert oracle.MAX_SOURCES() == 8
    assert oracle.MAX_BUFFER_SIZE() == 512


# ---------------------------------------------------------------------------------------------------- governance


def test_set_asset_config__valid__stores_config_and_emits(oracle, weth, feeds, gov):
    sources = [(feeds[0].address, 900, usd(100), usd(10_000)), (feeds[1].address, 86_400, 1, usd(50_000))]
    config = (sources, 2, 250, 750, 1_200, 1_800, 32)

    tx = oracle.setAssetConfig(weth, config, sender=gov)

    (event,) = tx.events.filter(oracle.AssetConfigured)
    assert event.asset == weth
    stored = oracle.getAssetConfig(weth)
    assert [(s.feed, s.heartbeat, s.minAnswer, s.maxAnswer) for s in stored.sources] == sources
    assert (
        stored.quorum,
        stored.maxDispersionBps,
        stored.maxDeviationBps,
        stored.twapWindow,
        stored.maxPriceAge,
        stored.bufferSize,
    ) == (2, 250, 750, 1_200, 1_800, 32)
    assert oracle.observationState(weth) == (0, 0)


def test_set_asset_config__listed_never_updated__is_stale_without_price(
    oracle, weth, feeds, asset_config, gov
):
    oracle.setAssetConfig(weth, asset_config([feeds[0]]), sender=gov)

    data = oracle.getPriceData(weth)
    assert (data.median, data.twap, data.status, data.updatedAt) == (0, 0, Status.STALE, 0)
    assert oracle.twap(weth, MIN_WINDOW) == 0
    with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.LIQUIDATE, status=Status.STALE):
        oracle.priceForLiquidation(weth, True)


@pytest.mark.parametrize("role", ["guardian", "keeper", "stranger"])
def test_set_asset_config__caller_without_admin_role__reverts(
    oracle, weth, feeds, asset_config, request, role
):
    caller = request.getfixturevalue(role)
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=caller, neededRole=oracle.DEFAULT_ADMIN_ROLE()
    ):
        oracle.setAssetConfig(weth, asset_config([feeds[0]]), sender=caller)


def test_set_asset_config__max_at_largest_storable_price__accepted_and_priced(
    oracle, weth, feeds, asset_config, gov, keeper, chain
):
    largest = UINT96_MAX // 10**10  # 8 decimals: normalizes to just under 2**96
    feeds[0].setAnswer(largest, sender=gov)
    oracle.setAssetConfig(weth, asset_config([(feeds[0].address, HEARTBEAT, 1, largest)]), sender=gov)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    assert oracle.median(weth) == largest * 10**10
    assert oracle.status(weth) == Status.OK


def test_set_asset_config__same_buffer_size__keeps_observations(
    oracle, weth, feeds, asset_config, solo, gov, keeper
):
    update_at(oracle, weth, solo + 600, keeper)
    before = oracle.observationState(weth)

    oracle.setAssetConfig(weth, asset_config([feeds[0]], twap_window=900), sender=gov)

    assert oracle.observationState(weth) == before == (1, 2)
    assert oracle.getAssetConfig(weth).twapWindow == 900
    tx = update_at(oracle, weth, solo + 1_200, keeper)
    assert price_updated(tx, oracle).cumulative == wad(2000) * 1_200


def test_set_asset_config__new_buffer_size__restarts_observations(
    oracle, weth, feeds, asset_config, solo, gov, keeper
):
    feeds[0].setAnswer(usd(2100), sender=gov)
    update_at(oracle, weth, solo + 600, keeper)
    assert oracle.observationState(weth) == (1, 2)

    oracle.setAssetConfig(weth, asset_config([feeds[0]], buffer_size=8), sender=gov)

    assert oracle.observationState(weth) == (0, 0)
    assert oracle.median(weth) == wad(2100)  # the stored price survives a reconfiguration
    mine_at(solo + 1_200)
    assert oracle.twap(weth, MIN_WINDOW) == wad(2100)  # no history: the stored median
    tx = update_at(oracle, weth, solo + 1_800, keeper)
    event = price_updated(tx, oracle)
    assert (event.twap, event.cumulative) == (wad(2100), 0)
    assert oracle.observationState(weth) == (0, 1)
    assert tuple(oracle.observation(weth, 0)) == (solo + 1_800, 0)


@pytest.mark.parametrize("role", ["gov", "keeper", "stranger"])
def test_set_frozen__caller_without_guardian_role__reverts(oracle, weth, solo, request, role):
    caller = request.getfixturevalue(role)
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=caller, neededRole=oracle.GUARDIAN_ROLE()
    ):
        oracle.setFrozen(weth, True, sender=caller)


def test_set_frozen__role_granted_by_admin__can_freeze(oracle, weth, solo, gov, keeper):
    oracle.grantRole(oracle.GUARDIAN_ROLE(), keeper, sender=gov)

    oracle.setFrozen(weth, True, sender=keeper)

    assert oracle.status(weth) == Status.FROZEN


def test_set_frozen__freeze_then_unfreeze__emits_and_restores_ok(oracle, weth, solo, guardian):
    tx = oracle.setFrozen(weth, True, sender=guardian)

    (event,) = tx.events.filter(oracle.FreezeSet)
    assert (event.asset, event.frozen, event.by) == (weth, True, guardian)
    assert event.until == tx.timestamp + oracle.livenessParams().maxFreezeDuration
    assert oracle.status(weth) == Status.FROZEN
    assert oracle.getPriceData(weth).status == Status.FROZEN

    tx = oracle.setFrozen(weth, False, sender=guardian)

    (event,) = tx.events.filter(oracle.FreezeSet)
    assert (event.asset, event.frozen, event.by, event.until) == (weth, False, guardian, tx.timestamp)
    assert oracle.status(weth) == Status.OK


# ---------------------------------------------------------------------------------------------------- median


MEDIAN_ANSWERS = [2003.25, 1990.5, 2015, 1998, 2011.75, 1994, 2007.5, 2001]  # USD, unsorted


@pytest.mark.parametrize("count", range(1, 9))
def test_update__n_fresh_sources__stores_their_median(
    oracle, weth, feeds, asset_config, gov, keeper, chain, count
):
    for feed, answer in zip(feeds[:count], MEDIAN_ANSWERS, strict=False):
        feed.setAnswer(usd(answer), sender=gov)
    config = asset_config(feeds[:count], quorum=count, max_dispersion_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=gov)

    t = chain.blocks.head.timestamp + 60
    tx = update_at(oracle, weth, t, keeper)

    expected = python_median([wad(answer) for answer in MEDIAN_ANSWERS[:count]])
    event = price_updated(tx, oracle)
    assert (event.asset, event.median, event.freshSources, event.status) == (weth, expected, count, Status.OK)
    assert event.twap == expected  # the first observation: no history yet
    assert exclusions(tx, oracle) == []
    assert oracle.median(weth) == expected
    data = oracle.getPriceData(weth)
    assert (data.median, data.twap, data.status, data.updatedAt) == (expected, expected, Status.OK, t)


@pytest.mark.parametrize("offsets", [[1, 2], [4, 1, 3, 7]], ids=["2 sources", "4 sources"])
def test_update__even_count_with_odd_middle_sum__rounds_median_down(
    project, oracle, weth, asset_config, gov, keeper, chain, offsets
):
    sources = [project.MockFeed.deploy(18, wad(2000) + k, f"18 dec #{k}", sender=gov) for k in offsets]
    oracle.setAssetConfig(weth, asset_config(sources, quorum=len(sources)), sender=gov)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    middle = sorted(offsets)[len(offsets) // 2 - 1 : len(offsets) // 2 + 1]
    assert sum(middle) % 2 == 1
    assert (
        oracle.median(weth) == wad(2000) + sum(middle) // 2 == python_median([wad(2000) + k for k in offsets])
    )


def test_update__some_sources_excluded__median_of_fresh_answers_only(
    oracle, weth, feeds, asset_config, gov, keeper, chain
):
    # All five: median 1500. Fresh ones (1000, 2000, 3000): median 2000.
    for feed, answer in zip(feeds[:5], (1000, 2000, 1500, 3000, 1200), strict=True):
        feed.setAnswer(usd(answer), sender=gov)
    t = chain.blocks.head.timestamp + 60
    feeds[2].setUpdatedAt(t - HEARTBEAT - 1, sender=gov)
    feeds[4].setReverting(True, sender=gov)
    oracle.setAssetConfig(weth, asset_config(feeds[:5], quorum=3, max_dispersion_bps=10_000), sender=gov)

    tx = update_at(oracle, weth, t, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2000), 3, Status.OK)
    assert [e[1:3] for e in exclusions(tx, oracle)] == [
        (feeds[2].address, Exclusion.STALE),
        (feeds[4].address, Exclusion.REVERTED),
    ]


@pytest.mark.parametrize("decimals", [6, 8, 18, 24])
def test_update__feed_decimals__normalized_to_wad(
    project, oracle, weth, asset_config, gov, keeper, chain, decimals
):
    # Digits beyond 18 decimals are truncated.
    answer = usd(2000.5, decimals) + (10 ** (decimals - 18) - 1 if decimals > 18 else 0)
    feed = project.MockFeed.deploy(decimals, answer, f"{decimals} decimals", sender=gov)
    oracle.setAssetConfig(weth, asset_config([feed]), sender=gov)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    assert oracle.median(weth) == wad(2000.5)


def test_update__8_and_18_decimal_sources__give_equal_prices(
    project, oracle, weth, asset_config, gov, keeper, chain
):
    price = Decimal("2000.12345678")
    feed8 = project.MockFeed.deploy(8, usd(price, 8), "8 decimals", sender=gov)
    feed18 = project.MockFeed.deploy(18, usd(price, 18), "18 decimals", sender=gov)
    other = project.MockERC20.deploy("Other", "OTH", 18, sender=gov)
    both = project.MockERC20.deploy("Both", "BTH", 18, sender=gov)
    oracle.setAssetConfig(weth, asset_config([feed8]), sender=gov)
    oracle.setAssetConfig(other, asset_config([feed18]), sender=gov)
    # A dispersion bound of 1 bp: any difference between the two normalized answers would mark the price Deviated.
    oracle.setAssetConfig(both, asset_config([feed8, feed18], quorum=2, max_dispersion_bps=1), sender=gov)

    t = chain.blocks.head.timestamp + 60
    for i, asset in enumerate((weth, other, both)):
        update_at(oracle, asset, t + i, keeper)

    assert oracle.median(weth) == oracle.median(other) == oracle.median(both) == wad(price)
    assert oracle.status(both) == Status.OK


# ---------------------------------------------------------------------------------------------------- exclusions


@pytest.mark.parametrize(
    ("answer", "age", "reason"),
    [
        (0, 10, Exclusion.NON_POSITIVE),
        (-usd(2200), 10, Exclusion.NON_POSITIVE),
        (usd(2200), None, Exclusion.ZERO_TIMESTAMP),
        (usd(2200), -1, Exclusion.FUTURE_TIMESTAMP),
        (usd(2200), HEARTBEAT + 1, Exclusion.STALE),
        (TRIO_BOUNDS[0] - 1, 10, Exclusion.OUT_OF_BOUNDS),
        (TRIO_BOUNDS[1] + 1, 10, Exclusion.OUT_OF_BOUNDS),
    ],
    ids=[
        "zero answer",
        "negative answer",
        "zero timestamp",
        "future timestamp",
        "older than heartbeat",
        "below min",
        "above max",
    ],
)
def test_update__unusable_answer__is_excluded_with_reason(
    oracle, weth, feeds, trio, gov, keeper, answer, age, reason
):
    t = trio + 600
    updated_at = 0 if age is None else t - age
    feeds[2].setRoundData(7, answer, updated_at, sender=gov)

    tx = update_at(oracle, weth, t, keeper)

    assert exclusions(tx, oracle) == [(weth, feeds[2].address, reason, answer, updated_at)]
    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2050), 2, Status.OK)


def test_update__reverting_source__is_excluded_as_reverted(oracle, weth, feeds, trio, gov, keeper):
    feeds[2].setReverting(True, sender=gov)

    tx = update_at(oracle, weth, trio + 600, keeper)

    assert exclusions(tx, oracle) == [(weth, feeds[2].address, Exclusion.REVERTED, 0, 0)]
    assert (price_updated(tx, oracle).median, oracle.status(weth)) == (wad(2050), Status.OK)


def test_update__source_without_code__is_excluded_as_malformed(oracle, weth, feeds, trio, keeper, chain):
    chain.provider.set_code(feeds[2].address, b"")  # the call succeeds but returns nothing

    tx = update_at(oracle, weth, trio + 600, keeper)

    assert exclusions(tx, oracle) == [(weth, feeds[2].address, Exclusion.MALFORMED, 0, 0)]
    assert (price_updated(tx, oracle).median, oracle.status(weth)) == (wad(2050), Status.OK)


@pytest.mark.parametrize(
    ("answer", "age", "median"),
    [
        (usd(2200), HEARTBEAT, 2100),
        (usd(2200), 0, 2100),
        (TRIO_BOUNDS[0], 10, 2000),
        (TRIO_BOUNDS[1], 10, 2100),
    ],
    ids=["exactly heartbeat old", "stamped now", "at min", "at max"],
)
def test_update__answer_at_limit__is_fresh(oracle, weth, feeds, trio, gov, keeper, answer, age, median):
    t = trio + 600
    feeds[2].setRoundData(7, answer, t - age, sender=gov)

    tx = update_at(oracle, weth, t, keeper)

    assert exclusions(tx, oracle) == []
    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(median), 3, Status.OK)


def test_update__quorum_lost__is_stale_and_keeps_median(oracle, weth, feeds, trio, gov, keeper):
    t = trio + 600
    feeds[1].setReverting(True, sender=gov)
    feeds[2].setUpdatedAt(t - HEARTBEAT - 1, sender=gov)

    tx = update_at(oracle, weth, t, keeper)

    assert [e[2] for e in exclusions(tx, oracle)] == [Exclusion.REVERTED, Exclusion.STALE]
    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2100), 1, Status.STALE)
    # The kept median held since the last observation: it is still recorded.
    assert (event.cumulative, event.twap) == (wad(2100) * 600, wad(2100))
    data = oracle.getPriceData(weth)
    assert (data.median, data.status, data.updatedAt) == (wad(2100), Status.STALE, trio)
    assert oracle.observationState(weth) == (1, 2)
    with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.LIQUIDATE, status=Status.STALE):
        oracle.priceForLiquidation(weth, True)


def test_update__quorum_restored__is_ok_with_new_median(oracle, weth, feeds, trio, gov, keeper):
    for feed in feeds[1:3]:
        feed.setReverting(True, sender=gov)
    update_at(oracle, weth, trio + 600, keeper)
    assert oracle.status(weth) == Status.STALE

    for feed in feeds[1:3]:
        feed.setReverting(False, sender=gov)
    feeds[1].setAnswer(usd(2150), sender=gov)
    feeds[2].setAnswer(usd(2160), sender=gov)
    tx = update_at(oracle, weth, trio + 1_200, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2150), 3, Status.OK)
    assert oracle.getPriceData(weth).updatedAt == trio + 1_200


def test_update__first_update_without_quorum__stays_stale_without_observation(
    oracle, weth, feeds, asset_config, gov, keeper, chain
):
    feeds[0].setReverting(True, sender=gov)
    oracle.setAssetConfig(weth, asset_config(feeds[:2], quorum=2), sender=gov)

    tx = update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.cumulative, event.freshSources) == (0, 0, 0, 1)
    assert event.status == Status.STALE
    assert oracle.observationState(weth) == (0, 0)
    assert oracle.getPriceData(weth).updatedAt == 0


def test_update__any_caller__returns_stored_price_data(oracle, weth, feeds, solo, gov, stranger):
    feeds[0].setAnswer(usd(2100), sender=gov)

    tx = update_at(oracle, weth, solo + TWAP_WINDOW, stranger)

    assert tuple(tx.return_value) == (wad(2100), wad(2000), Status.OK, solo + TWAP_WINDOW)
    assert tuple(oracle.getPriceData(weth)) == (wad(2100), wad(2000), Status.OK, solo + TWAP_WINDOW)


# ---------------------------------------------------------------------------------------------------- status


def test_update__dispersion_beyond_bound__is_deviated_until_sources_agree(
    oracle, weth, feeds, asset_config, gov, keeper, chain
):
    for feed in feeds[:3]:
        feed.setAnswer(usd(2000), sender=gov)
    config = asset_config(feeds[:3], quorum=3, max_dispersion_bps=500, max_deviation_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=gov)
    t = chain.blocks.head.timestamp + 60
    assert price_updated(update_at(oracle, weth, t, keeper), oracle).status == Status.OK

    feeds[2].setAnswer(usd(2200), sender=gov)  # (2200 - 2000) / 2000 = 10 % > 5 %
    event = price_updated(update_at(oracle, weth, t + 60, keeper), oracle)
    assert (event.median, event.status) == (wad(2000), Status.DEVIATED)
    assert oracle.status(weth) == Status.DEVIATED

    feeds[2].setAnswer(usd(2100), sender=gov)  # exactly 5 %: not beyond the bound
    event = price_updated(update_at(oracle, weth, t + 120, keeper), oracle)
    assert (event.median, event.status) == (wad(2000), Status.OK)
    assert oracle.status(weth) == Status.OK


def test_update__median_beyond_deviation_from_twap__is_deviated_until_twap_catches_up(
    oracle, weth, feeds, solo, gov, keeper
):
    feeds[0].setAnswer(usd(2300), sender=gov)  # 15 % above the 2000 TWAP; the bound is 10 %

    event = price_updated(update_at(oracle, weth, solo + TWAP_WINDOW, keeper), oracle)
    assert (event.median, event.twap, event.status) == (wad(2300), wad(2000), Status.DEVIATED)

    # Half a window later the stored TWAP runs from the newest observation at or before now - window, the first
    # one: (2000 * 1800 + 2300 * 900) / 2700 = 2100, and 2300 is 9.5 % above it. The exact window TWAP is 2150.
    event = price_updated(update_at(oracle, weth, solo + TWAP_WINDOW + 900, keeper), oracle)
    assert TWAP_WINDOW == 1_800
    assert (event.median, event.twap, event.status) == (wad(2300), wad(2100), Status.OK)
    assert oracle.twap(weth, TWAP_WINDOW) == wad(2150)
    assert oracle.status(weth) == Status.OK


@pytest.mark.parametrize(
    ("answer", "status"), [(2200, Status.OK), (1800, Status.OK), (2201, Status.DEVIATED)]
)
def test_update__deviation_at_or_beyond_bound__is_deviated_only_beyond(
    oracle, weth, feeds, solo, gov, keeper, answer, status
):
    feeds[0].setAnswer(usd(answer), sender=gov)

    event = price_updated(update_at(oracle, weth, solo + TWAP_WINDOW, keeper), oracle)

    assert (event.twap, event.status) == (wad(2000), status)


def test_status__median_older_than_max_price_age__is_stale_until_next_update(
    oracle, weth, feeds, solo, gov, keeper
):
    mine_at(solo + MAX_PRICE_AGE)
    assert oracle.status(weth) == Status.OK

    mine_at(solo + MAX_PRICE_AGE + 1)
    assert oracle.status(weth) == Status.STALE
    data = oracle.getPriceData(weth)
    assert (data.median, data.status, data.updatedAt) == (wad(2000), Status.STALE, solo)
    with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.REDUCE, status=Status.STALE):
        oracle.priceForReduce(weth, True)

    feeds[0].setAnswer(usd(2000), sender=gov)
    update_at(oracle, weth, solo + MAX_PRICE_AGE + 60, keeper)
    assert oracle.status(weth) == Status.OK


def test_status__every_transition__follows_sources_age_and_guardian(
    oracle, weth, feeds, solo, gov, keeper, guardian
):
    feed = feeds[0]
    assert oracle.status(weth) == Status.OK

    feed.setAnswer(usd(2300), sender=gov)
    t = solo + TWAP_WINDOW
    update_at(oracle, weth, t, keeper)
    assert oracle.status(weth) == Status.DEVIATED  # Ok -> Deviated

    oracle.setFrozen(weth, True, sender=guardian)
    assert oracle.status(weth) == Status.FROZEN  # Deviated -> Frozen
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.DEVIATED  # Frozen -> Deviated

    mine_at(t + MAX_PRICE_AGE + 1)
    assert oracle.status(weth) == Status.STALE  # Deviated -> Stale

    # The guardian may not chain freezes (docs/design.md#liveness): governance freezes again.
    oracle.freezeFor(weth, 3_600, sender=gov)
    assert oracle.status(weth) == Status.FROZEN  # Stale -> Frozen
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.STALE  # Frozen -> Stale

    feed.setAnswer(usd(3000), sender=gov)  # 30 % above the 2300 TWAP
    t += MAX_PRICE_AGE + 60
    update_at(oracle, weth, t, keeper)
    assert oracle.status(weth) == Status.DEVIATED  # Stale -> Deviated

    t += TWAP_WINDOW
    update_at(oracle, weth, t, keeper)
    assert oracle.status(weth) == Status.OK  # Deviated -> Ok

    feed.setReverting(True, sender=gov)
    update_at(oracle, weth, t + 60, keeper)
    assert oracle.status(weth) == Status.STALE  # Ok -> Stale (quorum)

    feed.setReverting(False, sender=gov)
    feed.setAnswer(usd(3000), sender=gov)
    update_at(oracle, weth, t + 120, keeper)
    assert oracle.status(weth) == Status.OK  # Stale -> Ok

    oracle.freezeFor(weth, 3_600, sender=gov)
    assert oracle.status(weth) == Status.FROZEN  # Ok -> Frozen
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.OK  # Frozen -> Ok


def test_update__while_frozen__refreshes_price_but_stays_frozen(
    oracle, weth, feeds, solo, gov, keeper, guardian
):
    oracle.setFrozen(weth, True, sender=guardian)
    feeds[0].setAnswer(usd(2100), sender=gov)

    tx = update_at(oracle, weth, solo + TWAP_WINDOW, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.status) == (wad(2100), wad(2000), Status.FROZEN)
    assert oracle.status(weth) == Status.FROZEN
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.OK


# ---------------------------------------------------------------------------------------------------- TWAP


def test_update__price_set_in_same_block__has_no_twap_weight(oracle, weth, feeds, solo, gov, keeper):
    t = solo + TWAP_WINDOW
    _, tx = in_one_block(
        t,
        (feeds[0].setAnswer, (usd(4000),), gov),
        (oracle.update, (weth,), keeper),
    )

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.cumulative) == (wad(4000), wad(2000), wad(2000) * TWAP_WINDOW)
    assert event.status == Status.DEVIATED
    assert oracle.twap(weth, TWAP_WINDOW) == wad(2000)
    assert tuple(oracle.observation(weth, 1)) == (t, wad(2000) * TWAP_WINDOW)


def test_update__second_update_in_same_block__records_no_observation_and_keeps_twap(
    oracle, weth, feeds, solo, gov, keeper, stranger, guardian
):
    t = solo + TWAP_WINDOW
    _, first, _, second = in_one_block(
        t,
        (feeds[0].setAnswer, (usd(2100),), gov),
        (oracle.update, (weth,), keeper),
        (feeds[0].setAnswer, (usd(5000),), stranger),
        (oracle.update, (weth,), guardian),
    )

    first, second = price_updated(first, oracle), price_updated(second, oracle)
    assert (first.median, second.median) == (wad(2100), wad(5000))
    assert first.twap == second.twap == wad(2000)
    assert first.cumulative == second.cumulative == wad(2000) * TWAP_WINDOW
    assert oracle.observationState(weth) == (1, 2)
    assert oracle.getPriceData(weth).twap == wad(2000)

    # From the block on, the last stored median holds; the first one of the block never had any weight.
    tx = update_at(oracle, weth, t + 600, keeper)
    assert price_updated(tx, oracle).cumulative == wad(2000) * TWAP_WINDOW + wad(5000) * 600


def test_twap__window_below_minimum__reverts_window_too_short(oracle, weth, solo):
    with ape.reverts(oracle.WindowTooShort, window=MIN_WINDOW - 1, minWindow=MIN_WINDOW):
        oracle.twap(weth, MIN_WINDOW - 1)
    assert oracle.twap(weth, MIN_WINDOW) == wad(2000)


def test_twap__after_last_update__weights_stored_median_until_now(oracle, weth, feeds, solo, gov, keeper):
    feeds[0].setAnswer(usd(2100), sender=gov)
    update_at(oracle, weth, solo + TWAP_WINDOW, keeper)

    mine_at(solo + TWAP_WINDOW + 600)

    assert oracle.twap(weth, 600) == wad(2100)  # the window lies after the newest observation
    assert oracle.twap(weth, 1_200) == (wad(2000) * 600 + wad(2100) * 600) // 1_200
    # Longer than the history: the average over all of it (2000 for 1800 s, 2100 for 600 s).
    assert oracle.twap(weth, 10**6) == (wad(2000) * TWAP_WINDOW + wad(2100) * 600) // (TWAP_WINDOW + 600)


def test_update__ring_buffer_wraps__twap_matches_independent_model(
    oracle, weth, feeds, asset_config, gov, keeper, chain, price_history
):
    size = 4
    config = asset_config([feeds[0]], buffer_size=size, max_deviation_bps=10_000, twap_window=TWAP_WINDOW)
    oracle.setAssetConfig(weth, config, sender=gov)
    steps = [  # (price in USD, seconds since the previous update)
        (2000, 0),
        (2100, 300),
        (1900, 450),
        (2300, 200),
        (2250, 900),
        (1800, 600),
        (2050, 120),
        (2400, 700),
        (2200, 1_000),
        (1950, 250),
        (2000, 500),
    ]
    history = price_history(size, TWAP_WINDOW)
    t = chain.blocks.head.timestamp + 60
    for i, (price, seconds) in enumerate(steps):
        t += seconds
        feeds[0].setRoundData(i + 2, usd(price), t, sender=gov)
        tx = update_at(oracle, weth, t, keeper)
        history.record(t, wad(price))

        event = price_updated(tx, oracle)
        assert event.twap == history.stored_twap(t, TWAP_WINDOW), f"step {i}"
        assert oracle.twap(weth, TWAP_WINDOW) == history.twap(t, TWAP_WINDOW), f"step {i}"
        assert event.cumulative == history.cumulative(t)
        assert oracle.observationState(weth) == (history.newest_index, len(history.observations))
    assert history.moved_forward > 0, "the path never made the ring keep its oldest slot"

    # The buffer holds the model's observations in ring order, the oldest of them right after the newest.
    newest, count = oracle.observationState(weth)
    stored = [oracle.observation(weth, (newest + 1 + k) % size) for k in range(count)]
    assert [(o.timestamp, o.cumulative) for o in stored] == [
        (ts, history.cumulative(ts)) for ts in history.observations
    ]

    now = t + 700
    mine_at(now)
    for window in (600, 1_000, TWAP_WINDOW, 2_500, 10**6):
        assert oracle.twap(weth, window) == history.twap(now, window), f"window {window}"
    assert oracle.twap(weth, 600) == wad(2000)  # entirely after the newest observation
    # Clamped to the oldest observation held: the average over all of the history the ring keeps.
    assert oracle.twap(weth, 10**6) == history.twap(now, now - history.observations[0])


def test_update__spammed_every_block__stored_twap_still_spans_the_window(
    oracle, weth, feeds, asset_config, gov, keeper, chain, price_history
):
    """With one observation per update, calling `update` every block would wrap a small ring within `bufferSize`
    blocks and shrink the stored TWAP to those few blocks. The ring keeps its oldest slot while it starts the window,
    so the TWAP keeps spanning at least the window and a new price moves it only by its weight."""
    size = 8
    config = asset_config([feeds[0]], buffer_size=size, max_deviation_bps=10_000, twap_window=TWAP_WINDOW)
    oracle.setAssetConfig(weth, config, sender=gov)
    history = price_history(size, TWAP_WINDOW)
    t = chain.blocks.head.timestamp + 60
    # A calm history, then a new price and an update every block.
    updates = [(2000, 600)] * 5 + [(3000, 12)] * 40
    for i, (price, seconds) in enumerate(updates):
        t += seconds
        feeds[0].setRoundData(i + 2, usd(price), t, sender=gov)
        event = price_updated(update_at(oracle, weth, t, keeper), oracle)
        history.record(t, wad(price))

        assert event.twap == history.stored_twap(t, TWAP_WINDOW), f"update {i}"
        if t - history.observations[0] >= TWAP_WINDOW:
            start = history.stored_window_start(t, TWAP_WINDOW)
            assert start <= t - TWAP_WINDOW, f"update {i}: window shrank"
        assert oracle.observationState(weth) == (history.newest_index, len(history.observations))

    # 3000 held for 468 of the last 1800+ seconds: far from 3000, which a ring of 8 blocks would have stored.
    spam_seconds = 12 * 39
    span = t - history.stored_window_start(t, TWAP_WINDOW)
    assert span >= TWAP_WINDOW
    assert event.twap == (wad(2000) * (span - spam_seconds) + wad(3000) * spam_seconds) // span
    assert event.twap < wad(2300)
    assert history.moved_forward >= 30


# ---------------------------------------------------------------------------------------------------- policy


@pytest.fixture
def reach(oracle, weth, feeds, solo, gov, keeper, guardian):
    """Bring weth into `state`; return its (median, twap)."""

    def _reach(state):
        answer = {"ok above twap": 2100, "ok below twap": 1900, "deviated": 2500}.get(state, 2100)
        feeds[0].setAnswer(usd(answer), sender=gov)
        t = solo + TWAP_WINDOW
        update_at(oracle, weth, t, keeper)
        if state == "stale by age":
            mine_at(t + MAX_PRICE_AGE + 1)
        elif state == "stale by quorum":
            feeds[0].setReverting(True, sender=gov)
            update_at(oracle, weth, t + 60, keeper)
        elif state == "frozen":
            oracle.setFrozen(weth, True, sender=guardian)
        expected = {
            "ok above twap": Status.OK,
            "ok below twap": Status.OK,
            "deviated": Status.DEVIATED,
            "stale by age": Status.STALE,
            "stale by quorum": Status.STALE,
            "frozen": Status.FROZEN,
        }[state]
        assert oracle.status(weth) == expected
        return oracle.median(weth), oracle.getPriceData(weth).twap

    return _reach


@pytest.mark.parametrize("state", ["ok above twap", "ok below twap"])
def test_price_for_risk__ok__returns_worse_price_for_caller(oracle, weth, reach, state):
    median, twap = reach(state)
    assert median != twap

    assert oracle.priceForRisk(weth, True) == min(median, twap)  # long: the lower price
    assert oracle.priceForRisk(weth, False) == max(median, twap)  # short: the higher price


@pytest.mark.parametrize("state", ["ok above twap", "ok below twap", "deviated"])
def test_price_for_reduce__ok_or_deviated__returns_worse_price_for_trader(oracle, weth, reach, state):
    median, twap = reach(state)

    assert oracle.priceForReduce(weth, True) == min(median, twap)
    assert oracle.priceForReduce(weth, False) == max(median, twap)


@pytest.mark.parametrize("state", ["ok above twap", "ok below twap", "deviated"])
def test_price_for_liquidation__ok_or_deviated__returns_better_price_for_account(oracle, weth, reach, state):
    median, twap = reach(state)

    assert oracle.priceForLiquidation(weth, True) == max(median, twap)  # a long account is worth more higher
    assert oracle.priceForLiquidation(weth, False) == min(median, twap)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("ok above twap", Action.ADD_RISK),
        ("ok below twap", Action.REDUCE),
        ("ok above twap", Action.LIQUIDATE),
        ("deviated", Action.REDUCE),
        ("deviated", Action.LIQUIDATE),
    ],
)
def test_price_bounds__allowed_action__returns_low_and_high(oracle, weth, reach, state, action):
    median, twap = reach(state)

    assert tuple(oracle.priceBounds(weth, action)) == (min(median, twap), max(median, twap))


def test_price_for_risk__deviated__reverts_price_unavailable(oracle, weth, reach):
    reach("deviated")

    for long_exposure in (True, False):
        with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.ADD_RISK, status=Status.DEVIATED):
            oracle.priceForRisk(weth, long_exposure)
    with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.ADD_RISK, status=Status.DEVIATED):
        oracle.priceBounds(weth, Action.ADD_RISK)


POLICY_VIEWS = [
    ("priceForRisk", (True,), Action.ADD_RISK),
    ("priceForRisk", (False,), Action.ADD_RISK),
    ("priceForReduce", (True,), Action.REDUCE),
    ("priceForReduce", (False,), Action.REDUCE),
    ("priceForLiquidation", (True,), Action.LIQUIDATE),
    ("priceForLiquidation", (False,), Action.LIQUIDATE),
    ("priceBounds", (Action.ADD_RISK,), Action.ADD_RISK),
    ("priceBounds", (Action.REDUCE,), Action.REDUCE),
    ("priceBounds", (Action.LIQUIDATE,), Action.LIQUIDATE),
]


@pytest.mark.parametrize(
    ("state", "status"), [("stale by age", Status.STALE), ("stale by quorum", Status.STALE)]
)
def test_policy_views__stale__revert_price_unavailable(oracle, weth, reach, state, status):
    reach(state)

    for view, args, action in POLICY_VIEWS:
        with ape.reverts(oracle.PriceUnavailable, asset=weth, action=action, status=status):
            getattr(oracle, view)(weth, *args)


def test_policy_views__frozen__refuse_new_risk_and_price_exits(oracle, weth, reach):
    median, twap = reach("frozen")

    for view, args, action in POLICY_VIEWS:
        if action == Action.ADD_RISK:
            with ape.reverts(oracle.PriceUnavailable, asset=weth, action=action, status=Status.FROZEN):
                getattr(oracle, view)(weth, *args)
        else:  # docs/design.md#liveness: closes and liquidations follow the sources' own status
            assert getattr(oracle, view)(weth, *args) is not None
    assert oracle.sourceStatus(weth) == Status.OK
    assert tuple(oracle.priceBounds(weth, Action.LIQUIDATE)) == (min(median, twap), max(median, twap))


# ---------------------------------------------------------------------------------------------------- PushFeed source


def test_update__push_feed_source__excluded_until_first_round_then_priced(
    oracle, weth, push_feed, asset_config, gov, keeper, chain
):
    oracle.setAssetConfig(weth, asset_config([push_feed]), sender=gov)
    t = chain.blocks.head.timestamp + 60

    tx = update_at(oracle, weth, t, keeper)
    assert exclusions(tx, oracle) == [(weth, push_feed.address, Exclusion.NON_POSITIVE, 0, 0)]
    assert oracle.status(weth) == Status.STALE

    push_feed.submit(usd(2000), sender=keeper)
    tx = update_at(oracle, weth, t + 60, keeper)
    assert exclusions(tx, oracle) == []
    assert (oracle.median(weth), oracle.status(weth)) == (wad(2000), Status.OK)
