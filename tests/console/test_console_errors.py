"""Revert data decoded by name with its values (`ballast.console_errors`), for errors the called contract declares
and for errors raised deeper in the call (the oracle behind the MarginEngine, the MarginEngineGovernance behind the
engine's two fallbacks), and the one line `ape console` prints for a failure (`ballast.console_hooks`)."""

import re

import pytest
from ape.exceptions import ContractLogicError
from eth_abi import encode
from eth_utils import keccak

from ballast import console_hooks
from ballast.console_errors import ErrorDecoder, decode_revert, describe_error, project_decoder, revert_data
from ballast.console_trading import HelperError

from support.deploy import ROOT

WAD = 10**18


def _data(signature: str, types: list[str], values: list) -> str:
    return "0x" + (keccak(text=signature)[:4] + encode(types, values)).hex()


def test_every_error_in_the_sources__has_its_selector_in_the_map(project):
    """Each `error X(...)` of interfaces/ and contracts/ reaches the decoder through some contract's ABI."""
    declared = set()
    for path in [*(ROOT / "interfaces").rglob("*.sol"), *(ROOT / "contracts").rglob("*.sol")]:
        if ".cache" not in path.parts:
            declared |= set(re.findall(r"\berror\s+(\w+)\s*\(", path.read_text()))
    known = {spec.name for specs in project_decoder(project).specs.values() for spec in specs}
    assert declared and declared <= known, sorted(declared - known)


def test_decode__names_values_in_dollars_enums_by_member_and_unknown_selectors_as_none(project):
    data = _data(
        "InsufficientMargin(int256,uint256,int256)",
        ["int256", "uint256", "int256"],
        [-3 * WAD, 300 * WAD, -603 * WAD],
    )
    assert decode_revert(data, project) == (
        "InsufficientMargin(initialEquity=-$3.0000, initialMargin=$300.00, stressEquity=-$603.00)"
    )
    asset = "0x" + "ab" * 20
    data = _data("PriceUnavailable(address,uint8,uint8)", ["address", "uint8", "uint8"], [asset, 0, 2])
    assert decode_revert(data, project) == (
        "PriceUnavailable(asset=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, action=Action.AddRisk, status=Status.Stale)"
    )
    types = ["bytes32", "uint256", "uint256", "uint256"]
    data = _data(
        "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", types, [b"maintHaircutBps", 9_000, 0, 5_000]
    )
    assert (
        decode_revert(data, project)
        == "ParamOutOfBounds(name='maintHaircutBps', value=9000, min=0, max=5000)"
    )
    data = _data("UtilizationExceeded(uint256,uint256)", ["uint256", "uint256"], [1_250 * WAD, 9 * WAD // 10])
    assert (
        decode_revert(data, project)
        == "UtilizationExceeded(utilization=125,000.00 %, maxUtilization=90.00 %)"
    )
    assert decode_revert(_data("Error(string)", ["string"], ["no"]), project) == "Error('no')"
    assert decode_revert(_data("Panic(uint256)", ["uint256"], [0x11]), project) == (
        "Panic(0x11: arithmetic overflow or underflow)"
    )
    assert decode_revert("0x12345678", project) is None
    assert decode_revert("0x", project) is None


def test_decode__a_selector_two_errors_share_shows_both_names_and_raw_values():
    """The Pool's `SlippageExceeded(actual, minimum)` (shares, token units) and the engine's
    `SlippageExceeded(executionPrice, acceptablePrice)` (USD) share a selector: the revert data cannot tell them apart."""
    decoder = ErrorDecoder(
        {
            "Pool": [
                {
                    "type": "error",
                    "name": "SlippageExceeded",
                    "inputs": [{"name": "actual", "type": "uint256"}, {"name": "minimum", "type": "uint256"}],
                }
            ],
            "Engine": [
                {
                    "type": "error",
                    "name": "SlippageExceeded",
                    "inputs": [
                        {"name": "executionPrice", "type": "uint256"},
                        {"name": "acceptablePrice", "type": "uint256"},
                    ],
                }
            ],
        }
    )
    decoded = decoder.decode(_data("SlippageExceeded(uint256,uint256)", ["uint256", "uint256"], [5, 7]))
    assert decoded is not None
    assert decoded.text == "SlippageExceeded(actual|executionPrice=5, minimum|acceptablePrice=7)"


def test_deeper_error__governance_behind_two_fallbacks_decodes_by_name(names, accounts, traces_off):
    """A guardian-only setter reached through MarginEngine -> MarginEngineExtension -> MarginEngineGovernance."""
    engine, stranger = names["engine"], accounts[5]
    with pytest.raises(ContractLogicError) as caught:
        engine.setNewRiskPaused(True, sender=stranger)
    line = describe_error(caught.value)
    assert line == (
        f"MarginEngine.setNewRiskPaused reverted: AccessControlUnauthorizedAccount(account={stranger.address}, "
        "neededRole=GUARDIAN_ROLE)"
    )


def test_reverted_view_call__decodes_from_the_nodes_text(names, accounts, traces_off):
    """anvil words a reverted `eth_call` as `custom error 0x<selector>: <data>`: the same line comes out."""
    with pytest.raises(ContractLogicError) as caught:
        names["oracle"].priceForRisk(accounts[5].address, True)
    assert revert_data(caught.value) is not None
    assert describe_error(caught.value).endswith(f"reverted: AssetNotListed(asset={accounts[5].address})")


def test_console_handler__prints_one_line_and_traces_switch_back_on(names, accounts, output, traces_off):
    """The console's exception handler: one red line with traces off; `traces(True)` restores ape's `Trace.show`."""
    from ape_ethereum.trace import Trace

    handler = console_hooks.exception_handler(names["console"])
    with pytest.raises(ContractLogicError) as caught:
        names["engine"].modifyPosition(0, WAD, 2**255, sender=accounts[7])
    handler(None, type(caught.value), caught.value, None)
    handler(None, HelperError, HelperError("no market 'X'"), None)
    # An empty account buying 1 WETH at $3,000: the $3 fee is its equity, 10 % of $3,000 its initial margin, and the
    # stress scenario takes 20 % more.
    assert output().splitlines() == [
        "MarginEngine.modifyPosition reverted: InsufficientMargin(initialEquity=-$3.0000, initialMargin=$300.00, "
        "stressEquity=-$603.00)",
        "ballast: no market 'X'",
    ]
    assert console_hooks.traces() is False
    silenced = Trace.show
    assert console_hooks.traces(True) is True and Trace.show is not silenced
    assert console_hooks.traces(False) is False and Trace.show is not console_hooks._ORIGINALS["show"]


def test_install__ape_consoles_extension_registers_the_one_line_handler(names, accounts, traces_off):
    """What `ape console` does with ape_console_extras.py: the extras install the hooks, then IPython loads ape's
    console extension, whose handler ours replaces; a failing cell prints the one line and no traceback."""
    import ape_console.plugin as plugin
    from ape.exceptions import ApeException
    from IPython.core.interactiveshell import InteractiveShell

    from ballast.errors import BallastError

    from support.deploy import quiet_console

    console = quiet_console()
    original = plugin.load_ipython_extension
    shell = InteractiveShell.instance(user_ns={"engine": names["engine"], "trader": accounts[8]})
    try:
        console_hooks.install(console, trace=False)
        plugin.load_ipython_extension(shell)  # IPython loading ape's console plugin
        assert set(shell.custom_exceptions) == {ApeException, BallastError}
        result = shell.run_cell("engine.modifyPosition(0, 10**18, 2**255, sender=trader)")
        assert isinstance(result.error_in_exec, ContractLogicError)
        assert console.file.getvalue().splitlines() == [
            "MarginEngine.modifyPosition reverted: InsufficientMargin(initialEquity=-$3.0000, initialMargin=$300.00, "
            "stressEquity=-$603.00)"
        ]
    finally:
        plugin.load_ipython_extension = getattr(plugin.load_ipython_extension, "__wrapped__", original)
        InteractiveShell.clear_instance()


def test_when_traces_on__runs_once_the_first_time_traces_go_on(traces_off):
    """The console tells ape the deployment's contract types only when traces are wanted (they name contracts in a
    trace; with traces off nothing reads them)."""
    calls = []
    console_hooks.when_traces_on(lambda: calls.append("on"))
    assert calls == []
    console_hooks.traces(True)
    console_hooks.traces(False)
    console_hooks.traces(True)
    assert calls == ["on"]
    console_hooks.when_traces_on(lambda: calls.append("already on"))
    assert calls == ["on", "already on"]


def test_deeper_error__the_oracle_behind_the_engine_decodes_by_name(
    names, deployed, accounts, chain, traces_off
):
    """(Last in the module: it moves the clock on.) A stale price: `modifyPosition` reverts inside the OracleAggregator, with an error the engine's ABI lacks."""
    d, trader = names["deployment"], accounts[2]
    names["fund"](trader, "USDC", 10_000)
    max_age = int(d.oracle.getAssetConfig(d.tokens["WETH"])[5])
    chain.pending_timestamp += max_age + 1
    with pytest.raises(ContractLogicError) as caught:
        d.engine.modifyPosition(0, WAD, 2**255, sender=trader)
    weth = d.tokens["WETH"].address
    assert describe_error(caught.value) == (
        f"MarginEngine.modifyPosition reverted: PriceUnavailable(asset={weth}, action=Action.AddRisk, "
        "status=Status.Stale)"
    )
