"""Shared fixtures (yearn style: accounts by role, contracts deployed once per module)."""

import os

import ape
import pytest
from hypothesis import HealthCheck, settings

# Property tests: `default` keeps `make test` near its 15-minute budget (each example is several transactions through
# ape and anvil, about 0.15 s each); HYPOTHESIS_PROFILE=deep explores far more examples. Each example runs on the
# module's anvil inside `chain.isolate()`, so ape's function-scoped isolation fixture is harmless.
settings.register_profile(
    "default",
    max_examples=15,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("deep", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


# ---------------------------------------------------------------------------------------------------- roles


@ape.fixture(scope="session", chain_isolation=False)
def admin(accounts):
    """Deploys the protocol and holds the admin role (the timelock's place in tests)."""
    return accounts[0]


@ape.fixture(scope="session", chain_isolation=False)
def lp(accounts):
    """A liquidity provider."""
    return accounts[1]


@ape.fixture(scope="session", chain_isolation=False)
def risk_manager(accounts):
    """Makes bounded risk-parameter changes."""
    return accounts[6]


@ape.fixture(scope="session", chain_isolation=False)
def guardian(accounts):
    """May freeze and unfreeze oracle assets."""
    return accounts[3]


@ape.fixture(scope="session", chain_isolation=False)
def keeper(accounts):
    """Calls the permissionless keeper entry points (oracle updates)."""
    return accounts[4]


@ape.fixture(scope="session", chain_isolation=False)
def stranger(accounts):
    """Holds no role anywhere."""
    return accounts[5]


# ---------------------------------------------------------------------------------------------------- oracle

MIN_TWAP_WINDOW = 600  # seconds; the oracle fixture's minimum TWAP window


@pytest.fixture(scope="module")
def oracle(project, deployer, guardian):
    """An OracleAggregator administered by `deployer`, frozen by `guardian`, with a 600 s minimum TWAP window."""
    return project.OracleAggregator.deploy(deployer, guardian, MIN_TWAP_WINDOW, sender=deployer)


@pytest.fixture(scope="module")
def weth(project, deployer):
    """An asset to price (any address works; a token is what production lists)."""
    return project.MockERC20.deploy("Wrapped Ether", "WETH", 18, sender=deployer)


@pytest.fixture(scope="module")
def feeds(project, deployer):
    """Eight 8-decimal Chainlink-style mock feeds, each answering 2000 USD."""
    return [project.MockFeed.deploy(8, 2000 * 10**8, f"ETH / USD #{i}", sender=deployer) for i in range(8)]


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


# ---------------------------------------------------------------------------------------------------- ape + anvil


@pytest.fixture(scope="session", autouse=True)
def _lean_ape():
    """Skip three things ape does around every call that no test reads: printing the enriched call trace of a
    reverted call (about three seconds each for a call through the Pool and the oracle; the revert itself is still
    raised, decoded and matched by `ape.reverts`), fetching every receipt's trace for `console.log` lines (the
    contracts log none), and asking the node whether a contract address holds code before each call (fixtures
    deploy every contract they call). `BALLAST_TRACES=1` keeps ape's behaviour, for debugging a failure."""
    if os.environ.get("BALLAST_TRACES") == "1":
        yield
        return
    from ape.api.transactions import ReceiptAPI
    from ape.contracts.base import ContractMethodHandler
    from ape_ethereum.trace import Trace

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Trace, "show", lambda self, *args, **kwargs: None)
        patch.setattr(ReceiptAPI, "show_debug_logs", lambda self: None)
        patch.setattr(ContractMethodHandler, "_validate_is_contract", lambda self: None)
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_trace_walk_for_foreign_errors():
    """Decode a reverted transaction's custom error only from the called contract's ABI. An error raised deeper (the
    Pool's error behind the MarginEngine, the lock's `Locked` through a token hook, a token's error through the Pool)
    otherwise makes ape fetch and walk the transaction's whole step trace to find the reverting contract: 15 to 25
    seconds for one liquidation. Left undecoded, `_strict_custom_error_reverts` below matches the raw revert data
    against the expected error (selector and inputs) instead. An error the called contract declares is decoded as
    before. `BALLAST_TRACES=1` keeps ape's behaviour."""
    if os.environ.get("BALLAST_TRACES") == "1":
        yield
        return
    from ape_ethereum.ecosystem import Ethereum

    original = Ethereum.decode_custom_error

    def decode_custom_error(self, data, address, **kwargs):
        kwargs.pop("txn", None)  # without the transaction ape cannot look for its trace
        return original(self, data, address, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Ethereum, "decode_custom_error", decode_custom_error)
        yield


@pytest.fixture(scope="session", autouse=True)
def _decode_reverted_calls():
    """Let `ape.reverts(contract.SomeError, arg=...)` check reverted view calls.

    anvil reports a reverted `eth_call` with a text message ("custom error 0x...: <raw bytes>") and the ABI data
    only in the JSON-RPC error's `data`, which ape 0.8 drops: the error then is a plain ContractLogicError and
    `ape.reverts` accepts any revert. Re-raise such an error with its data so that ape decodes the custom error.
    """
    from ape.exceptions import ProviderError
    from ape_foundry.provider import FoundryProvider
    from eth_utils import is_hex
    from web3.types import RPCEndpoint

    original = FoundryProvider._make_request

    def _make_request(self, rpc, parameters=None):
        try:
            return original(self, rpc, parameters)
        except ProviderError as err:
            if rpc != "eth_call" or "custom error 0x" not in str(err):
                raise
            error = self.web3.provider.make_request(RPCEndpoint(rpc), list(parameters or [])).get("error")
            data = error.get("data") if isinstance(error, dict) else None
            if not (isinstance(data, str) and is_hex(data)):
                raise
            raise ProviderError(f"execution reverted: {data}") from err

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FoundryProvider, "_make_request", _make_request)
        yield


def _matches_raw_custom_error(expected, revert_data: str, inputs: dict) -> bool:
    """Whether raw revert data `0x<selector><args>` is the custom error `expected` with `inputs` (by name)."""
    from eth_abi import decode
    from eth_utils import function_signature_to_4byte_selector, is_hex, to_checksum_address

    if not (isinstance(revert_data, str) and is_hex(revert_data) and revert_data.startswith("0x")):
        return False
    abi = expected.abi
    types = [i.canonical_type for i in abi.inputs]
    selector = "0x" + function_signature_to_4byte_selector(f"{abi.name}({','.join(types)})").hex()
    if not revert_data.startswith(selector):
        return False
    values = decode(types, bytes.fromhex(revert_data[10:]))
    actual = dict(zip((i.name for i in abi.inputs), values, strict=True))
    for name, want in inputs.items():
        got = actual[name]
        if isinstance(got, str) and got.startswith("0x") and len(got) == 42:
            got, want = to_checksum_address(got), to_checksum_address(str(want))
        if got != want:
            raise AssertionError(f"Expected input '{name}' to be '{want}' but was '{got}'.")
    return True


@pytest.fixture(scope="session", autouse=True)
def _strict_custom_error_reverts():
    """Make `ape.reverts(contract.SomeError)` fail when the revert is not that custom error.

    ape 0.8 accepts any revert it could not decode into a custom error (it only compares decoded custom errors with
    the expected one). A reverted deployment, for one, cannot be decoded: match its selector ("0x1234abcd") instead.
    """
    from ape.exceptions import CustomError
    from ape.pytest.contextmanagers import RevertsContextManager

    original = RevertsContextManager.__exit__

    def __exit__(self, exc_type, exc_value, traceback):
        expected = self.expected_message
        if (
            exc_value is not None
            and isinstance(expected, type)
            and issubclass(expected, CustomError)
            and not isinstance(exc_value, CustomError)
        ):
            # A custom error raised by a contract deeper in the call (the Pool behind a MarginEngine) reaches ape
            # undecoded, as raw revert data: accept it when it is the expected error with the expected inputs.
            if _matches_raw_custom_error(
                expected, getattr(exc_value, "revert_message", ""), self.error_inputs
            ):
                return True
            raise AssertionError(f"Expected error '{expected.__name__}' but got {exc_value!r}") from exc_value
        return original(self, exc_type, exc_value, traceback)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RevertsContextManager, "__exit__", __exit__)
        yield
