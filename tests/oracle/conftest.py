"""OracleAggregator fixtures: an oracle administered by `gov` and frozen by `guardian`, an asset, eight feeds, a
configuration builder, and an independent model of the TWAP."""

import ape
import pytest

MIN_TWAP_WINDOW = 600  # seconds; the oracle fixture's minimum TWAP window


@pytest.fixture(scope="module")
def oracle(project, gov, guardian):
    """An OracleAggregator administered by `deployer`, frozen by `guardian`, with a 600 s minimum TWAP window."""
    return project.OracleAggregator.deploy(gov, guardian, MIN_TWAP_WINDOW, sender=gov)


@pytest.fixture(scope="module")
def weth(project, gov):
    """An asset to price (any address works; a token is what production lists)."""
    return project.MockERC20.deploy("Wrapped Ether", "WETH", 18, sender=gov)


@pytest.fixture(scope="module")
def feeds(project, gov):
    """Eight 8-decimal Chainlink-style mock feeds, each answering 2000 USD."""
    return [project.MockFeed.deploy(8, 2000 * 10**8, f"ETH / USD #{i}", sender=gov) for i in range(8)]


@ape.fixture(scope="session", chain_isolation=False)
def asset_config():
    """Build an `AssetConfig` tuple for `setAssetConfig`.

    `sources` holds feed contracts (heartbeat `heartbeat`, bounds 1e-6 to 1e7 USD in the feed's decimals) or
    explicit `(feed, heartbeat, minAnswer, maxAnswer)` tuples.
    """

    def build(
        sources,
        *,
        quorum=1,
        max_dispersion_bps=500,
        max_deviation_bps=1_000,
        twap_window=1_800,
        max_price_age=3_600,
        buffer_size=16,
        heartbeat=3_600,
    ):
        entries = []
        for source in sources:
            if isinstance(source, tuple):
                entries.append(source)
            else:
                decimals = source.decimals()
                entries.append(
                    (source.address, heartbeat, max(1, 10**decimals // 10**6), 10 ** (decimals + 7))
                )
        return (
            entries,
            quorum,
            max_dispersion_bps,
            max_deviation_bps,
            twap_window,
            max_price_age,
            buffer_size,
        )

    return build


class PriceHistory:
    """Independent model of an asset's TWAP: integrates the held price over time, without cumulative sums.

    Feed it every successful `update` in order with `record(timestamp, median_stored)`. The median an update
    stores holds from that update's time on (the last update of a timestamp wins). Each new update time is an
    observation in a ring buffer of `buffer_size` slots, except when the ring is full and its oldest observation
    still starts the TWAP window (no other one is at or before `now - window`): then the newest slot moves to
    the new time instead of a new slot overwriting the oldest.
    """

    def __init__(self, buffer_size: int, window: int):
        self.buffer_size = buffer_size
        self.window = window
        self.held: dict[int, int] = {}  # update time -> price held from then on, in time order
        self.slots: list[int] = []  # observation timestamps the ring buffer holds, oldest first
        self.moved_forward = 0  # how many updates moved the newest slot instead of taking a new one
        self.appended = 0  # how many updates took a new slot

    def record(self, timestamp: int, median: int) -> None:
        assert not self.held or timestamp >= max(self.held), "updates are recorded in time order"
        if not self.slots:
            self.slots.append(timestamp)
            self.appended += 1
        elif timestamp != self.slots[-1]:
            start = self.stored_window_start(timestamp, self.window)
            if len(self.slots) == self.buffer_size and start == self.slots[0]:
                self.slots[-1] = timestamp
                self.moved_forward += 1
            else:
                self.slots = [*self.slots, timestamp][-self.buffer_size :]
                self.appended += 1
        self.held[timestamp] = median

    @property
    def observations(self) -> list[int]:
        """Timestamps of the observations the ring buffer holds, oldest first."""
        return list(self.slots)

    @property
    def newest_index(self) -> int:
        """Physical ring index of the newest observation."""
        return (self.appended - 1) % self.buffer_size

    @property
    def current(self) -> int:
        return self.held[max(self.held)]

    def segments(self, start: int, end: int) -> list[tuple[int, int]]:
        """(price, seconds) for every price held during [start, end]."""
        times = list(self.held)
        result = []
        for i, since in enumerate(times):
            until = times[i + 1] if i + 1 < len(times) else end
            seconds = min(until, end) - max(since, start)
            if seconds > 0:
                result.append((self.held[since], seconds))
        return result

    def cumulative(self, at: int) -> int:
        """Sum of price * seconds from the first observation to `at`."""
        return sum(price * seconds for price, seconds in self.segments(min(self.held), at))

    def _average(self, start: int, now: int) -> int:
        if start >= now:
            return self.current
        return sum(price * seconds for price, seconds in self.segments(start, now)) // (now - start)

    def twap(self, now: int, window: int) -> int:
        """`twap(window)` at `now`: the cumulative at `now - window` is interpolated linearly (rounded down)
        between the observations around it; clamped to the oldest one; only the current price after the newest."""
        target = now - window
        slots = self.slots
        if target <= slots[0]:
            return self._average(slots[0], now)
        if target >= slots[-1]:
            return self.current
        before = max(ts for ts in slots if ts <= target)
        after = min(ts for ts in slots if ts > target)
        c0, c1 = self.cumulative(before), self.cumulative(after)
        at_target = c0 + (c1 - c0) * (target - before) // (after - before)
        return (self.cumulative(now) - at_target) // window

    def stored_window_start(self, now: int, window: int) -> int:
        """Where the TWAP an `update` stores starts: the newest held observation at or before `now - window`, or
        the oldest held one (so the stored TWAP spans at least the window once the buffer holds that much)."""
        return max((ts for ts in self.slots if ts <= now - window), default=self.slots[0])

    def stored_twap(self, now: int, window: int) -> int:
        """The TWAP `update` stores at `now`."""
        return self._average(self.stored_window_start(now, window), now)

    def prices_in_stored_window(self, now: int, window: int) -> list[int]:
        start = self.stored_window_start(now, window)
        return [price for price, _ in self.segments(start, now)] or [self.current]

    def prices_in_window(self, now: int, window: int) -> list[int]:
        """Every price that held for a positive time since the observation at or before `now - window` (the
        interpolation can average over that whole slot), or the current one if the window is empty."""
        return self.prices_in_stored_window(now, window)


@ape.fixture(scope="session", chain_isolation=False)
def price_history():
    """The `PriceHistory` model class, to check the oracle's TWAP against."""
    return PriceHistory
