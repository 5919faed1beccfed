"""The root of the conftest tree: hypothesis profiles, one account per role, and the few patches of ape's test
runner that the suites need (each says why). Each suite's conftest deploys what it tests, once per module."""

import copy
import os

import pytest
from hypothesis import HealthCheck, settings

from support.fixtures import account_fixture

# Property tests: `default` keeps `make test` within its 8-minute budget (each example is several transactions through
# ape and anvil, about 0.15 s each); HYPOTHESIS_PROFILE=deep explores far more examples. Each example runs on the
# module's anvil inside `isolated(chain)` (tests/support/isolation.py), so ape's function-scoped isolation fixture is
# harmless.
settings.register_profile(
    "default",
    max_examples=15,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("deep", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# ---------------------------------------------------------------------------------------------------- tiers
#: A test that requests one of these (directly or through its fixtures) runs against the test chain.
CHAIN_FIXTURES = {"chain", "accounts", "project", "networks", "Contract"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    """Mark every test that needs the test chain `chain`, so that `make check` can run the rest alone
    (`-m "not chain and not slow"`): derived from each test's fixture closure, never listed by hand.

    Also refuse a fixture name defined with two scopes anywhere in the tree. ape's chain isolation keys what it
    knows about a fixture (its scope, whether it changed the chain) by name for the whole session, so a name that is
    module-scoped in one suite and function-scoped in another makes ape skip the snapshots of the second: its tests
    then see each other's state (one `ape test` over the tree; a suite alone would pass)."""
    scopes: dict[str, set[str]] = {}
    for item in items:
        if CHAIN_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.chain)
        info = getattr(item, "_fixtureinfo", None)
        for name, defs in info.name2fixturedefs.items() if info else ():
            scopes.setdefault(name, set()).update(d.scope for d in defs)
    clashes = {name: sorted(s) for name, s in scopes.items() if len(s) > 1}
    if clashes:
        raise pytest.UsageError(f"fixture names with more than one scope (rename one of each): {clashes}")


# ---------------------------------------------------------------------------------------------------- roles
# One test account per role, the same in every suite (ape's test accounts from the configured mnemonic). No chain
# state: session-scoped and outside ape's chain isolation.

#: Each role's name and what it does, in the order of its account in ape's test accounts (`gov` is accounts[0]).
ROLES = {
    "gov": "Deploys the protocol and holds its admin role (the timelock's place in tests).",
    "lp": "A liquidity provider.",
    "trader": "Trades on the MarginEngine (a second LP in the Pool suite, where nobody trades).",
    "guardian": "May freeze and unfreeze oracle assets and pause the Pool and the MarginEngine.",
    "keeper": "Calls the permissionless keeper entry points (oracle updates, liquidations).",
    "stranger": "Holds no role anywhere.",
    "risk_manager": "Makes bounded risk-parameter changes.",
    "trader2": "A second trader.",
    "attacker": "Holds no role; the second address of an owner in self-liquidation cases.",
}
# One fixture per role, named after it (pytest registers a module's fixtures under their names).
globals().update(
    {
        name: account_fixture(name, index, doc, scope="session", chain_isolation=False)
        for index, (name, doc) in enumerate(ROLES.items())
    }
)


# ---------------------------------------------------------------------------------------------------- ape + anvil

#: The test chains are local anvils: requests must not look for a proxy before each JSON-RPC call (it scans the whole
#: environment twice per request, about 0.7 ms; a tenth of a property test's time).
_LOCAL = ("127.0.0.1", "localhost")
for _name in ("no_proxy", "NO_PROXY"):
    _hosts = [h for h in os.environ.get(_name, "").split(",") if h]
    os.environ[_name] = ",".join(_hosts + [h for h in _LOCAL if h not in _hosts])


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
def _transaction_type_read_once():
    """Read each network's default transaction type once. ape reads it for every call and transaction it builds, and
    with a custom network in ape-config.yaml (`ballast-testnet`) each read rebuilds the ecosystem's network objects
    and their settings from the environment: about 20 ms per contract call, half the run time of the stateful
    machine. The configuration does not change during a test session, so the answer is kept per network."""
    from ape_ethereum.ecosystem import Ethereum

    read = Ethereum.default_transaction_type.fget
    known: dict[tuple[str, str | None], object] = {}

    def default_transaction_type(self):
        provider = self.network_manager.active_provider
        key = (self.name, provider.network.name if provider else None)
        if key not in known:
            known[key] = read(self)
        return known[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Ethereum, "default_transaction_type", property(default_transaction_type))
        yield


@pytest.fixture(scope="session", autouse=True)
def _settings_read_once():
    """Build each provider's settings and each network's configuration once per configuration. ape rebuilds both
    for every transaction it creates and every request the provider makes (a pydantic-settings model each time,
    which scans the whole environment): about 4 ms per contract call, a sixth of the stateful machine's time. An
    answer is kept for as long as the configuration object it was built from (and the provider settings) stay the
    same, and the provider settings equal, so a test that loads another configuration or passes other provider
    settings gets a fresh one."""
    from ape.api.networks import NetworkAPI
    from ape.api.providers import ProviderAPI

    read_settings = ProviderAPI.settings.fget
    read_config = NetworkAPI.config.fget
    known: dict[
        int, tuple[object, object, object, object]
    ] = {}  # id(instance) -> (instance, source, extra, value)

    def remembered(instance, source, extra, read):
        held = known.get(id(instance))
        if held is None or held[0] is not instance or held[1] is not source or held[2] != extra:
            held = (instance, source, extra, read(instance))
            known[id(instance)] = held
        return held[3]

    def settings(self):
        return remembered(self, self.config, copy.deepcopy(self.provider_settings), read_settings)

    def config(self):
        return remembered(self, self.ecosystem_config, None, read_config)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ProviderAPI, "settings", property(settings))
        patch.setattr(NetworkAPI, "config", property(config))
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
