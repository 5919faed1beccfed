"""OracleAggregator: source checks, median, TWAP ring buffer, status, price policy, governance; and PushFeed.

Time is set explicitly for every update (`chain.pending_timestamp`), so TWAP values are exact. A TWAP observation
at time t accumulates the median stored before it times the seconds since the previous observation; a second
update at the same timestamp records none.
"""

from decimal import Decimal
from enum import IntEnum

import ape
import pytest
from eth_utils import keccak

WAD = 10**18
HEARTBEAT = 3_600
TWAP_WINDOW = 1_800
MAX_PRICE_AGE = 3_600
MIN_WINDOW = 600  # the `oracle` fixture's minTwapWindow
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
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


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


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
def solo(oracle, weth, feeds, asset_config, deployer, keeper, chain):
    """weth priced by feeds[0] alone (2000 USD): 10 % deviation bound, 1800 s TWAP, 3600 s max age; updated once.

    Returns the time of that update.
    """
    feeds[0].setAnswer(usd(2000), sender=deployer)
    oracle.setAssetConfig(weth, asset_config([feeds[0]]), sender=deployer)
    t0 = chain.blocks.head.timestamp + 60
    update_at(oracle, weth, t0, keeper)
    return t0


TRIO_BOUNDS = (usd(1000), usd(3000))


@pytest.fixture
def trio(oracle, weth, feeds, asset_config, deployer, keeper, chain):
    """weth priced by feeds[0:3] answering 2000, 2100 and 2200 USD within bounds [1000, 3000] USD, quorum 2,
    dispersion and deviation unbounded (100 %); updated once (median 2100). Returns the time of that update.
    """
    for feed, answer in zip(feeds[:3], (2000, 2100, 2200), strict=True):
        feed.setAnswer(usd(answer), sender=deployer)
    sources = [(feed.address, HEARTBEAT, *TRIO_BOUNDS) for feed in feeds[:3]]
    config = asset_config(sources, quorum=2, max_dispersion_bps=10_000, max_deviation_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=deployer)
    t0 = chain.blocks.head.timestamp + 60
    update_at(oracle, weth, t0, keeper)
    return t0


@pytest.fixture(scope="module")
def push_feed(project, deployer, keeper):
    """An 8-decimal PushFeed owned by `deployer` with `keeper` as its reporter."""
    feed = project.PushFeed.deploy(deployer, 8, "ETH / USD (push)", sender=deployer)
    feed.setReporter(keeper, True, sender=deployer)
    return feed


# ---------------------------------------------------------------------------------------------------- deployment


def test_constructor__roles_and_min_window__are_set(oracle, deployer, guardian, keeper):
    assert oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), deployer)
    assert oracle.hasRole(oracle.GUARDIAN_ROLE(), guardian)
    assert not oracle.hasRole(oracle.GUARDIAN_ROLE(), deployer)
    assert not oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), keeper)
    assert oracle.minTwapWindow() == MIN_WINDOW
    assert oracle.MAX_SOURCES() == 8
    assert oracle.MAX_BUFFER_SIZE() == 512


def test_constructor__zero_min_window__reverts(project, accounts, deployer, guardian):
    # A reverted deployment has no address for ape to decode the error with: match its selector. Deploy from an
    # account no other test deploys from, so that ape has no contract cached at the would-be address.
    with ape.reverts(selector("InvalidMinTwapWindow()")):
        project.OracleAggregator.deploy(deployer, guardian, 0, sender=accounts[9])


# ---------------------------------------------------------------------------------------------------- governance


def test_set_asset_config__valid__stores_config_and_emits(oracle, weth, feeds, deployer):
    sources = [(feeds[0].address, 900, usd(100), usd(10_000)), (feeds[1].address, 86_400, 1, usd(50_000))]
    config = (sources, 2, 250, 750, 1_200, 1_800, 32)

    tx = oracle.setAssetConfig(weth, config, sender=deployer)

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
    oracle, weth, feeds, asset_config, deployer
):
    oracle.setAssetConfig(weth, asset_config([feeds[0]]), sender=deployer)

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


def test_set_asset_config__no_source__reverts_invalid_source_count(oracle, weth, asset_config, deployer):
    with ape.reverts(oracle.InvalidSourceCount, count=0, max=8):
        oracle.setAssetConfig(weth, asset_config([]), sender=deployer)


def test_set_asset_config__nine_sources__reverts_invalid_source_count(
    project, oracle, weth, feeds, asset_config, deployer
):
    ninth = project.MockFeed.deploy(8, usd(2000), "ninth", sender=deployer)
    with ape.reverts(oracle.InvalidSourceCount, count=9, max=8):
        oracle.setAssetConfig(weth, asset_config([*feeds, ninth]), sender=deployer)


def test_set_asset_config__eight_sources__accepted(oracle, weth, feeds, asset_config, deployer):
    oracle.setAssetConfig(weth, asset_config(feeds, quorum=8), sender=deployer)
    assert len(oracle.getAssetConfig(weth).sources) == 8


def test_set_asset_config__zero_feed__reverts_invalid_feed(oracle, weth, feeds, asset_config, deployer):
    sources = [(feeds[0].address, HEARTBEAT, 1, usd(10_000)), (ZERO_ADDRESS, HEARTBEAT, 1, usd(10_000))]
    with ape.reverts(oracle.InvalidFeed, index=1, feed=ZERO_ADDRESS):
        oracle.setAssetConfig(weth, asset_config(sources), sender=deployer)


def test_set_asset_config__duplicate_feed__reverts_invalid_feed(oracle, weth, feeds, asset_config, deployer):
    with ape.reverts(oracle.InvalidFeed, index=2, feed=feeds[0].address):
        oracle.setAssetConfig(weth, asset_config([feeds[0], feeds[1], feeds[0]]), sender=deployer)


def test_set_asset_config__zero_heartbeat__reverts_invalid_heartbeat(
    oracle, weth, feeds, asset_config, deployer
):
    with ape.reverts(oracle.InvalidHeartbeat, index=1, heartbeat=0):
        oracle.setAssetConfig(
            weth, asset_config([feeds[0], (feeds[1].address, 0, 1, usd(10_000))]), sender=deployer
        )


@pytest.mark.parametrize(
    ("min_answer", "max_answer"),
    [(0, usd(10_000)), (usd(2_001), usd(2_000)), (1, UINT96_MAX // 10**10 + 1)],
    ids=["zero min", "min above max", "max above largest storable price"],
)
def test_set_asset_config__bad_bounds__reverts_invalid_bounds(
    oracle, weth, feeds, asset_config, deployer, min_answer, max_answer
):
    sources = [(feeds[0].address, HEARTBEAT, min_answer, max_answer)]
    with ape.reverts(oracle.InvalidBounds, index=0, minAnswer=min_answer, maxAnswer=max_answer):
        oracle.setAssetConfig(weth, asset_config(sources), sender=deployer)


def test_set_asset_config__min_normalizing_to_zero__reverts_invalid_bounds(
    project, oracle, weth, asset_config, deployer
):
    feed = project.MockFeed.deploy(24, usd(2000, 24), "24 decimals", sender=deployer)
    too_small = 10**6 - 1  # below 1e-18 USD once normalized to 18 decimals
    with ape.reverts(oracle.InvalidBounds, index=0, minAnswer=too_small, maxAnswer=usd(10_000, 24)):
        oracle.setAssetConfig(
            weth, asset_config([(feed.address, HEARTBEAT, too_small, usd(10_000, 24))]), sender=deployer
        )
    oracle.setAssetConfig(
        weth, asset_config([(feed.address, HEARTBEAT, 10**6, usd(10_000, 24))]), sender=deployer
    )
    assert oracle.getAssetConfig(weth).sources[0].minAnswer == 10**6


def test_set_asset_config__feed_above_36_decimals__reverts_invalid_decimals(
    oracle, weth, feeds, asset_config, deployer
):
    feeds[1].setDecimals(37, sender=deployer)
    sources = [feeds[0], (feeds[1].address, HEARTBEAT, 10**19, 10**38)]
    with ape.reverts(oracle.InvalidDecimals, index=1, decimals=37):
        oracle.setAssetConfig(weth, asset_config(sources), sender=deployer)


def test_set_asset_config__feed_with_36_decimals__accepted(oracle, weth, feeds, asset_config, deployer):
    feeds[0].setDecimals(36, sender=deployer)
    oracle.setAssetConfig(
        weth, asset_config([(feeds[0].address, HEARTBEAT, 10**18, 10**38)]), sender=deployer
    )
    assert oracle.getAssetConfig(weth).sources[0].maxAnswer == 10**38


@pytest.mark.parametrize("quorum", [0, 3])
def test_set_asset_config__quorum_outside_source_count__reverts_invalid_quorum(
    oracle, weth, feeds, asset_config, deployer, quorum
):
    with ape.reverts(oracle.InvalidQuorum, quorum=quorum, sourceCount=2):
        oracle.setAssetConfig(weth, asset_config(feeds[:2], quorum=quorum), sender=deployer)


@pytest.mark.parametrize("field", ["max_dispersion_bps", "max_deviation_bps"])
@pytest.mark.parametrize("value", [0, 10_001])
def test_set_asset_config__bps_zero_or_above_100_percent__reverts_invalid_bps(
    oracle, weth, feeds, asset_config, deployer, field, value
):
    with ape.reverts(oracle.InvalidBps, value=value):
        oracle.setAssetConfig(weth, asset_config([feeds[0]], **{field: value}), sender=deployer)


def test_set_asset_config__window_below_minimum__reverts_window_too_short(
    oracle, weth, feeds, asset_config, deployer
):
    with ape.reverts(oracle.WindowTooShort, window=MIN_WINDOW - 1, minWindow=MIN_WINDOW):
        oracle.setAssetConfig(weth, asset_config([feeds[0]], twap_window=MIN_WINDOW - 1), sender=deployer)


@pytest.mark.parametrize("size", [0, 1, 2, 513])
def test_set_asset_config__buffer_size_outside_3_to_512__reverts_invalid_buffer_size(
    oracle, weth, feeds, asset_config, deployer, size
):
    with ape.reverts(oracle.InvalidBufferSize, size=size, min=3, max=512):
        oracle.setAssetConfig(weth, asset_config([feeds[0]], buffer_size=size), sender=deployer)


@pytest.mark.parametrize("age", [0, 2**24])
def test_set_asset_config__max_price_age_zero_or_too_large__reverts_invalid_max_price_age(
    oracle, weth, feeds, asset_config, deployer, age
):
    with ape.reverts(oracle.InvalidMaxPriceAge, maxPriceAge=age):
        oracle.setAssetConfig(weth, asset_config([feeds[0]], max_price_age=age), sender=deployer)


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_dispersion_bps": 10_000, "max_deviation_bps": 10_000},
        {"max_dispersion_bps": 1, "max_deviation_bps": 1},
        {"twap_window": MIN_WINDOW},
        {"buffer_size": 3},
        {"buffer_size": 512},
        {"max_price_age": 2**24 - 1},
        {"quorum": 2},
    ],
    ids=lambda overrides: ",".join(f"{k}={v}" for k, v in overrides.items()),
)
def test_set_asset_config__limit_values__accepted(oracle, weth, feeds, asset_config, deployer, overrides):
    oracle.setAssetConfig(weth, asset_config(feeds[:2], **overrides), sender=deployer)

    stored = oracle.getAssetConfig(weth)
    stored_values = {
        "max_dispersion_bps": stored.maxDispersionBps,
        "max_deviation_bps": stored.maxDeviationBps,
        "twap_window": stored.twapWindow,
        "buffer_size": stored.bufferSize,
        "max_price_age": stored.maxPriceAge,
        "quorum": stored.quorum,
    }
    assert {key: stored_values[key] for key in overrides} == overrides


def test_set_asset_config__max_at_largest_storable_price__accepted_and_priced(
    oracle, weth, feeds, asset_config, deployer, keeper, chain
):
    largest = UINT96_MAX // 10**10  # 8 decimals: normalizes to just under 2**96
    feeds[0].setAnswer(largest, sender=deployer)
    oracle.setAssetConfig(weth, asset_config([(feeds[0].address, HEARTBEAT, 1, largest)]), sender=deployer)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    assert oracle.median(weth) == largest * 10**10
    assert oracle.status(weth) == Status.OK


def test_set_asset_config__same_buffer_size__keeps_observations(
    oracle, weth, feeds, asset_config, solo, deployer, keeper
):
    update_at(oracle, weth, solo + 600, keeper)
    before = oracle.observationState(weth)

    oracle.setAssetConfig(weth, asset_config([feeds[0]], twap_window=900), sender=deployer)

    assert oracle.observationState(weth) == before == (1, 2)
    assert oracle.getAssetConfig(weth).twapWindow == 900
    tx = update_at(oracle, weth, solo + 1_200, keeper)
    assert price_updated(tx, oracle).cumulative == wad(2000) * 1_200


def test_set_asset_config__new_buffer_size__restarts_observations(
    oracle, weth, feeds, asset_config, solo, deployer, keeper
):
    feeds[0].setAnswer(usd(2100), sender=deployer)
    update_at(oracle, weth, solo + 600, keeper)
    assert oracle.observationState(weth) == (1, 2)

    oracle.setAssetConfig(weth, asset_config([feeds[0]], buffer_size=8), sender=deployer)

    assert oracle.observationState(weth) == (0, 0)
    assert oracle.median(weth) == wad(2100)  # the stored price survives a reconfiguration
    mine_at(solo + 1_200)
    assert oracle.twap(weth, MIN_WINDOW) == wad(2100)  # no history: the stored median
    tx = update_at(oracle, weth, solo + 1_800, keeper)
    event = price_updated(tx, oracle)
    assert (event.twap, event.cumulative) == (wad(2100), 0)
    assert oracle.observationState(weth) == (0, 1)
    assert tuple(oracle.observation(weth, 0)) == (solo + 1_800, 0)


@pytest.mark.parametrize("role", ["deployer", "keeper", "stranger"])
def test_set_frozen__caller_without_guardian_role__reverts(oracle, weth, solo, request, role):
    caller = request.getfixturevalue(role)
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=caller, neededRole=oracle.GUARDIAN_ROLE()
    ):
        oracle.setFrozen(weth, True, sender=caller)


def test_set_frozen__role_granted_by_admin__can_freeze(oracle, weth, solo, deployer, keeper):
    oracle.grantRole(oracle.GUARDIAN_ROLE(), keeper, sender=deployer)

    oracle.setFrozen(weth, True, sender=keeper)

    assert oracle.status(weth) == Status.FROZEN


def test_set_frozen__unlisted_asset__reverts_asset_not_listed(oracle, weth, guardian):
    with ape.reverts(oracle.AssetNotListed, asset=weth):
        oracle.setFrozen(weth, True, sender=guardian)


def test_set_frozen__unchanged__reverts_freeze_unchanged(oracle, weth, solo, guardian):
    with ape.reverts(oracle.FreezeUnchanged, asset=weth, frozen=False):
        oracle.setFrozen(weth, False, sender=guardian)
    oracle.setFrozen(weth, True, sender=guardian)
    with ape.reverts(oracle.FreezeUnchanged, asset=weth, frozen=True):
        oracle.setFrozen(weth, True, sender=guardian)


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


UNLISTED_CALLS = {
    "getPriceData": (),
    "median": (),
    "status": (),
    "twap": (MIN_WINDOW,),
    "priceForRisk": (True,),
    "priceForReduce": (True,),
    "priceForLiquidation": (False,),
    "priceBounds": (Action.REDUCE,),
    "getAssetConfig": (),
}


@pytest.mark.parametrize("view", UNLISTED_CALLS)
def test_views__unlisted_asset__revert_asset_not_listed(oracle, weth, view):
    with ape.reverts(oracle.AssetNotListed, asset=weth):
        getattr(oracle, view)(weth, *UNLISTED_CALLS[view])


def test_update__unlisted_asset__reverts_asset_not_listed(oracle, weth, keeper):
    with ape.reverts(oracle.AssetNotListed, asset=weth):
        oracle.update(weth, sender=keeper)


# ---------------------------------------------------------------------------------------------------- median


MEDIAN_ANSWERS = [2003.25, 1990.5, 2015, 1998, 2011.75, 1994, 2007.5, 2001]  # USD, unsorted


@pytest.mark.parametrize("count", range(1, 9))
def test_update__n_fresh_sources__stores_their_median(
    oracle, weth, feeds, asset_config, deployer, keeper, chain, count
):
    for feed, answer in zip(feeds[:count], MEDIAN_ANSWERS, strict=False):
        feed.setAnswer(usd(answer), sender=deployer)
    config = asset_config(feeds[:count], quorum=count, max_dispersion_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=deployer)

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
    project, oracle, weth, asset_config, deployer, keeper, chain, offsets
):
    sources = [project.MockFeed.deploy(18, wad(2000) + k, f"18 dec #{k}", sender=deployer) for k in offsets]
    oracle.setAssetConfig(weth, asset_config(sources, quorum=len(sources)), sender=deployer)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    middle = sorted(offsets)[len(offsets) // 2 - 1 : len(offsets) // 2 + 1]
    assert sum(middle) % 2 == 1
    assert (
        oracle.median(weth) == wad(2000) + sum(middle) // 2 == python_median([wad(2000) + k for k in offsets])
    )


def test_update__some_sources_excluded__median_of_fresh_answers_only(
    oracle, weth, feeds, asset_config, deployer, keeper, chain
):
    # All five: median 1500. Fresh ones (1000, 2000, 3000): median 2000.
    for feed, answer in zip(feeds[:5], (1000, 2000, 1500, 3000, 1200), strict=True):
        feed.setAnswer(usd(answer), sender=deployer)
    t = chain.blocks.head.timestamp + 60
    feeds[2].setUpdatedAt(t - HEARTBEAT - 1, sender=deployer)
    feeds[4].setReverting(True, sender=deployer)
    oracle.setAssetConfig(weth, asset_config(feeds[:5], quorum=3, max_dispersion_bps=10_000), sender=deployer)

    tx = update_at(oracle, weth, t, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2000), 3, Status.OK)
    assert [e[1:3] for e in exclusions(tx, oracle)] == [
        (feeds[2].address, Exclusion.STALE),
        (feeds[4].address, Exclusion.REVERTED),
    ]


@pytest.mark.parametrize("decimals", [6, 8, 18, 24])
def test_update__feed_decimals__normalized_to_wad(
    project, oracle, weth, asset_config, deployer, keeper, chain, decimals
):
    # Digits beyond 18 decimals are truncated.
    answer = usd(2000.5, decimals) + (10 ** (decimals - 18) - 1 if decimals > 18 else 0)
    feed = project.MockFeed.deploy(decimals, answer, f"{decimals} decimals", sender=deployer)
    oracle.setAssetConfig(weth, asset_config([feed]), sender=deployer)

    update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    assert oracle.median(weth) == wad(2000.5)


def test_update__8_and_18_decimal_sources__give_equal_prices(
    project, oracle, weth, asset_config, deployer, keeper, chain
):
    price = Decimal("2000.12345678")
    feed8 = project.MockFeed.deploy(8, usd(price, 8), "8 decimals", sender=deployer)
    feed18 = project.MockFeed.deploy(18, usd(price, 18), "18 decimals", sender=deployer)
    other = project.MockERC20.deploy("Other", "OTH", 18, sender=deployer)
    both = project.MockERC20.deploy("Both", "BTH", 18, sender=deployer)
    oracle.setAssetConfig(weth, asset_config([feed8]), sender=deployer)
    oracle.setAssetConfig(other, asset_config([feed18]), sender=deployer)
    # A dispersion bound of 1 bp: any difference between the two normalized answers would mark the price Deviated.
    oracle.setAssetConfig(
        both, asset_config([feed8, feed18], quorum=2, max_dispersion_bps=1), sender=deployer
    )

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
    oracle, weth, feeds, trio, deployer, keeper, answer, age, reason
):
    t = trio + 600
    updated_at = 0 if age is None else t - age
    feeds[2].setRoundData(7, answer, updated_at, sender=deployer)

    tx = update_at(oracle, weth, t, keeper)

    assert exclusions(tx, oracle) == [(weth, feeds[2].address, reason, answer, updated_at)]
    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2050), 2, Status.OK)


def test_update__reverting_source__is_excluded_as_reverted(oracle, weth, feeds, trio, deployer, keeper):
    feeds[2].setReverting(True, sender=deployer)

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
def test_update__answer_at_limit__is_fresh(oracle, weth, feeds, trio, deployer, keeper, answer, age, median):
    t = trio + 600
    feeds[2].setRoundData(7, answer, t - age, sender=deployer)

    tx = update_at(oracle, weth, t, keeper)

    assert exclusions(tx, oracle) == []
    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(median), 3, Status.OK)


def test_update__quorum_lost__is_stale_and_keeps_median(oracle, weth, feeds, trio, deployer, keeper):
    t = trio + 600
    feeds[1].setReverting(True, sender=deployer)
    feeds[2].setUpdatedAt(t - HEARTBEAT - 1, sender=deployer)

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


def test_update__quorum_restored__is_ok_with_new_median(oracle, weth, feeds, trio, deployer, keeper):
    for feed in feeds[1:3]:
        feed.setReverting(True, sender=deployer)
    update_at(oracle, weth, trio + 600, keeper)
    assert oracle.status(weth) == Status.STALE

    for feed in feeds[1:3]:
        feed.setReverting(False, sender=deployer)
    feeds[1].setAnswer(usd(2150), sender=deployer)
    feeds[2].setAnswer(usd(2160), sender=deployer)
    tx = update_at(oracle, weth, trio + 1_200, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.freshSources, event.status) == (wad(2150), 3, Status.OK)
    assert oracle.getPriceData(weth).updatedAt == trio + 1_200


def test_update__first_update_without_quorum__stays_stale_without_observation(
    oracle, weth, feeds, asset_config, deployer, keeper, chain
):
    feeds[0].setReverting(True, sender=deployer)
    oracle.setAssetConfig(weth, asset_config(feeds[:2], quorum=2), sender=deployer)

    tx = update_at(oracle, weth, chain.blocks.head.timestamp + 60, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.cumulative, event.freshSources) == (0, 0, 0, 1)
    assert event.status == Status.STALE
    assert oracle.observationState(weth) == (0, 0)
    assert oracle.getPriceData(weth).updatedAt == 0


def test_update__any_caller__returns_stored_price_data(oracle, weth, feeds, solo, deployer, stranger):
    feeds[0].setAnswer(usd(2100), sender=deployer)

    tx = update_at(oracle, weth, solo + TWAP_WINDOW, stranger)

    assert tuple(tx.return_value) == (wad(2100), wad(2000), Status.OK, solo + TWAP_WINDOW)
    assert tuple(oracle.getPriceData(weth)) == (wad(2100), wad(2000), Status.OK, solo + TWAP_WINDOW)


# ---------------------------------------------------------------------------------------------------- status


def test_update__dispersion_beyond_bound__is_deviated_until_sources_agree(
    oracle, weth, feeds, asset_config, deployer, keeper, chain
):
    for feed in feeds[:3]:
        feed.setAnswer(usd(2000), sender=deployer)
    config = asset_config(feeds[:3], quorum=3, max_dispersion_bps=500, max_deviation_bps=10_000)
    oracle.setAssetConfig(weth, config, sender=deployer)
    t = chain.blocks.head.timestamp + 60
    assert price_updated(update_at(oracle, weth, t, keeper), oracle).status == Status.OK

    feeds[2].setAnswer(usd(2200), sender=deployer)  # (2200 - 2000) / 2000 = 10 % > 5 %
    event = price_updated(update_at(oracle, weth, t + 60, keeper), oracle)
    assert (event.median, event.status) == (wad(2000), Status.DEVIATED)
    assert oracle.status(weth) == Status.DEVIATED

    feeds[2].setAnswer(usd(2100), sender=deployer)  # exactly 5 %: not beyond the bound
    event = price_updated(update_at(oracle, weth, t + 120, keeper), oracle)
    assert (event.median, event.status) == (wad(2000), Status.OK)
    assert oracle.status(weth) == Status.OK


def test_update__median_beyond_deviation_from_twap__is_deviated_until_twap_catches_up(
    oracle, weth, feeds, solo, deployer, keeper
):
    feeds[0].setAnswer(usd(2300), sender=deployer)  # 15 % above the 2000 TWAP; the bound is 10 %

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
    oracle, weth, feeds, solo, deployer, keeper, answer, status
):
    feeds[0].setAnswer(usd(answer), sender=deployer)

    event = price_updated(update_at(oracle, weth, solo + TWAP_WINDOW, keeper), oracle)

    assert (event.twap, event.status) == (wad(2000), status)


def test_status__median_older_than_max_price_age__is_stale_until_next_update(
    oracle, weth, feeds, solo, deployer, keeper
):
    mine_at(solo + MAX_PRICE_AGE)
    assert oracle.status(weth) == Status.OK

    mine_at(solo + MAX_PRICE_AGE + 1)
    assert oracle.status(weth) == Status.STALE
    data = oracle.getPriceData(weth)
    assert (data.median, data.status, data.updatedAt) == (wad(2000), Status.STALE, solo)
    with ape.reverts(oracle.PriceUnavailable, asset=weth, action=Action.REDUCE, status=Status.STALE):
        oracle.priceForReduce(weth, True)

    feeds[0].setAnswer(usd(2000), sender=deployer)
    update_at(oracle, weth, solo + MAX_PRICE_AGE + 60, keeper)
    assert oracle.status(weth) == Status.OK


def test_status__every_transition__follows_sources_age_and_guardian(
    oracle, weth, feeds, solo, deployer, keeper, guardian
):
    feed = feeds[0]
    assert oracle.status(weth) == Status.OK

    feed.setAnswer(usd(2300), sender=deployer)
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
    oracle.freezeFor(weth, 3_600, sender=deployer)
    assert oracle.status(weth) == Status.FROZEN  # Stale -> Frozen
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.STALE  # Frozen -> Stale

    feed.setAnswer(usd(3000), sender=deployer)  # 30 % above the 2300 TWAP
    t += MAX_PRICE_AGE + 60
    update_at(oracle, weth, t, keeper)
    assert oracle.status(weth) == Status.DEVIATED  # Stale -> Deviated

    t += TWAP_WINDOW
    update_at(oracle, weth, t, keeper)
    assert oracle.status(weth) == Status.OK  # Deviated -> Ok

    feed.setReverting(True, sender=deployer)
    update_at(oracle, weth, t + 60, keeper)
    assert oracle.status(weth) == Status.STALE  # Ok -> Stale (quorum)

    feed.setReverting(False, sender=deployer)
    feed.setAnswer(usd(3000), sender=deployer)
    update_at(oracle, weth, t + 120, keeper)
    assert oracle.status(weth) == Status.OK  # Stale -> Ok

    oracle.freezeFor(weth, 3_600, sender=deployer)
    assert oracle.status(weth) == Status.FROZEN  # Ok -> Frozen
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.OK  # Frozen -> Ok


def test_update__while_frozen__refreshes_price_but_stays_frozen(
    oracle, weth, feeds, solo, deployer, keeper, guardian
):
    oracle.setFrozen(weth, True, sender=guardian)
    feeds[0].setAnswer(usd(2100), sender=deployer)

    tx = update_at(oracle, weth, solo + TWAP_WINDOW, keeper)

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.status) == (wad(2100), wad(2000), Status.FROZEN)
    assert oracle.status(weth) == Status.FROZEN
    oracle.setFrozen(weth, False, sender=guardian)
    assert oracle.status(weth) == Status.OK


# ---------------------------------------------------------------------------------------------------- TWAP


def test_update__price_set_in_same_block__has_no_twap_weight(oracle, weth, feeds, solo, deployer, keeper):
    t = solo + TWAP_WINDOW
    _, tx = in_one_block(
        t,
        (feeds[0].setAnswer, (usd(4000),), deployer),
        (oracle.update, (weth,), keeper),
    )

    event = price_updated(tx, oracle)
    assert (event.median, event.twap, event.cumulative) == (wad(4000), wad(2000), wad(2000) * TWAP_WINDOW)
    assert event.status == Status.DEVIATED
    assert oracle.twap(weth, TWAP_WINDOW) == wad(2000)
    assert tuple(oracle.observation(weth, 1)) == (t, wad(2000) * TWAP_WINDOW)


def test_update__second_update_in_same_block__records_no_observation_and_keeps_twap(
    oracle, weth, feeds, solo, deployer, keeper, stranger, guardian
):
    t = solo + TWAP_WINDOW
    _, first, _, second = in_one_block(
        t,
        (feeds[0].setAnswer, (usd(2100),), deployer),
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


def test_twap__after_last_update__weights_stored_median_until_now(
    oracle, weth, feeds, solo, deployer, keeper
):
    feeds[0].setAnswer(usd(2100), sender=deployer)
    update_at(oracle, weth, solo + TWAP_WINDOW, keeper)

    mine_at(solo + TWAP_WINDOW + 600)

    assert oracle.twap(weth, 600) == wad(2100)  # the window lies after the newest observation
    assert oracle.twap(weth, 1_200) == (wad(2000) * 600 + wad(2100) * 600) // 1_200
    # Longer than the history: the average over all of it (2000 for 1800 s, 2100 for 600 s).
    assert oracle.twap(weth, 10**6) == (wad(2000) * TWAP_WINDOW + wad(2100) * 600) // (TWAP_WINDOW + 600)


def test_update__ring_buffer_wraps__twap_matches_independent_model(
    oracle, weth, feeds, asset_config, deployer, keeper, chain, price_history
):
    size = 4
    config = asset_config([feeds[0]], buffer_size=size, max_deviation_bps=10_000, twap_window=TWAP_WINDOW)
    oracle.setAssetConfig(weth, config, sender=deployer)
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
        feeds[0].setRoundData(i + 2, usd(price), t, sender=deployer)
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
    oracle, weth, feeds, asset_config, deployer, keeper, chain, price_history
):
    """Review finding F2: with one observation per update, calling `update` every block wrapped a small ring within
    `bufferSize` blocks and the stored TWAP shrank to those few blocks. The ring now keeps its oldest slot while it
    starts the window, so the TWAP keeps spanning at least the window and a new price moves it only by its weight."""
    size = 8
    config = asset_config([feeds[0]], buffer_size=size, max_deviation_bps=10_000, twap_window=TWAP_WINDOW)
    oracle.setAssetConfig(weth, config, sender=deployer)
    history = price_history(size, TWAP_WINDOW)
    t = chain.blocks.head.timestamp + 60
    # A calm history, then a new price and an update every block.
    updates = [(2000, 600)] * 5 + [(3000, 12)] * 40
    for i, (price, seconds) in enumerate(updates):
        t += seconds
        feeds[0].setRoundData(i + 2, usd(price), t, sender=deployer)
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
def reach(oracle, weth, feeds, solo, deployer, keeper, guardian):
    """Bring weth into `state`; return its (median, twap)."""

    def _reach(state):
        answer = {"ok above twap": 2100, "ok below twap": 1900, "deviated": 2500}.get(state, 2100)
        feeds[0].setAnswer(usd(answer), sender=deployer)
        t = solo + TWAP_WINDOW
        update_at(oracle, weth, t, keeper)
        if state == "stale by age":
            mine_at(t + MAX_PRICE_AGE + 1)
        elif state == "stale by quorum":
            feeds[0].setReverting(True, sender=deployer)
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


# ---------------------------------------------------------------------------------------------------- PushFeed


def test_constructor__push_feed__sets_owner_metadata_and_no_round(push_feed, deployer, keeper, stranger):
    assert push_feed.owner() == deployer
    assert (push_feed.decimals(), push_feed.description(), push_feed.version()) == (8, "ETH / USD (push)", 1)
    assert push_feed.isReporter(keeper)
    assert not push_feed.isReporter(stranger)
    assert tuple(push_feed.latestRoundData()) == (0, 0, 0, 0, 0)


def test_submit__not_reporter__reverts_not_reporter(push_feed, deployer, stranger):
    for caller in (stranger, deployer):  # owning the feed does not make one a reporter
        with ape.reverts(push_feed.NotReporter, caller=caller):
            push_feed.submit(usd(2000), sender=caller)


def test_submit__revoked_reporter__reverts_not_reporter(push_feed, deployer, keeper):
    tx = push_feed.setReporter(keeper, False, sender=deployer)

    (event,) = tx.events.filter(push_feed.ReporterSet)
    assert (event.reporter, event.allowed) == (keeper, False)
    assert not push_feed.isReporter(keeper)
    with ape.reverts(push_feed.NotReporter, caller=keeper):
        push_feed.submit(usd(2000), sender=keeper)


def test_set_reporter__not_owner__reverts(push_feed, keeper, stranger):
    with ape.reverts(push_feed.OwnableUnauthorizedAccount, account=stranger):
        push_feed.setReporter(stranger, True, sender=stranger)
    with ape.reverts(push_feed.OwnableUnauthorizedAccount, account=keeper):
        push_feed.setReporter(stranger, True, sender=keeper)


def test_submit__reporter__opens_a_new_round_each_time(push_feed, keeper, chain):
    t1 = chain.blocks.head.timestamp + 60
    chain.pending_timestamp = t1
    tx = push_feed.submit(usd(2000), sender=keeper)
    (event,) = tx.events.filter(push_feed.AnswerUpdated)
    assert (event.current, event.roundId, event.updatedAt) == (usd(2000), 1, t1)

    chain.pending_timestamp = t1 + 30
    push_feed.submit(-usd(5), sender=keeper)  # stored as given: judging it is the consumer's job

    assert tuple(push_feed.latestRoundData()) == (2, -usd(5), t1 + 30, t1 + 30, 2)
    assert tuple(push_feed.getRoundData(1)) == (1, usd(2000), t1, t1, 1)
    assert tuple(push_feed.getRoundData(2)) == (2, -usd(5), t1 + 30, t1 + 30, 2)


@pytest.mark.parametrize("round_id", [0, 2, 2**80 - 1])
def test_get_round_data__unknown_round__reverts_unknown_round(push_feed, keeper, round_id):
    push_feed.submit(usd(2000), sender=keeper)

    with ape.reverts(push_feed.UnknownRound, roundId=round_id):
        push_feed.getRoundData(round_id)


def test_submit__answer_beyond_int192__reverts(push_feed, keeper):
    with ape.reverts(push_feed.SafeCastOverflowedIntDowncast, bits=192, value=2**191):
        push_feed.submit(2**191, sender=keeper)
    push_feed.submit(2**191 - 1, sender=keeper)
    assert push_feed.latestRoundData()[1] == 2**191 - 1


def test_update__push_feed_source__excluded_until_first_round_then_priced(
    oracle, weth, push_feed, asset_config, deployer, keeper, chain
):
    oracle.setAssetConfig(weth, asset_config([push_feed]), sender=deployer)
    t = chain.blocks.head.timestamp + 60

    tx = update_at(oracle, weth, t, keeper)
    assert exclusions(tx, oracle) == [(weth, push_feed.address, Exclusion.NON_POSITIVE, 0, 0)]
    assert oracle.status(weth) == Status.STALE

    push_feed.submit(usd(2000), sender=keeper)
    tx = update_at(oracle, weth, t + 60, keeper)
    assert exclusions(tx, oracle) == []
    assert (oracle.median(weth), oracle.status(weth)) == (wad(2000), Status.OK)
