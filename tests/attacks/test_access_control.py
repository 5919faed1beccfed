"""Access control: every non-view function of every contract the core deploys, taken from the ABIs, called by a
stranger (no role anywhere) reverts, unless it is in the PERMISSIONLESS list below.

Contracts: the Pool (which holds the shared lock) and the MarginEngine (their merged ABIs, `ballast.system.pool_abi` and
`engine_abi`, plus their extensions' `initialize`, which their fallbacks also reach), the PoolExtension and the
MarginEngineExtension and MarginEngineGovernance at their own addresses, the Liquidator, the InsuranceFund, the OracleAggregator, a
BallastTimelock deployed as `ballast.governance` does and an AssetOnboarding on them (the mock tokens and feeds are
open test doubles). Each
call is made as the stranger's transaction would run at the head of the chain (eth_call from its address), with
arguments of the right types; for the core contracts the revert must be an authorization error naming the
stranger (AccessControlUnauthorizedAccount, Unauthorized, NotMember, NotMemberAdmin or TimelockUnauthorizedCaller),
and a permissionless function may revert only for another reason. An extension holds no state of its own: called directly, any revert will do (the
PoolExtension shares the Pool's storage layout, the LP share's included, so its ERC20 functions act on its own
worthless storage there).
"""

import ape
import pytest
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from ballast.governance import deploy_timelock
from ballast.system import engine_abi, pool_abi

from support.attacks import selector
from support.core import COLLATERAL, MARKETS, WETH_PERP

PERMISSIONLESS = {
    "Pool": {"deposit", "withdraw", "poke", "transfer", "transferFrom", "approve", "renounceRole"},
    "PoolExtension": {"approve", "renounceRole"},
    "MarginEngine": {
        "deposit",
        "withdraw",
        "modifyPosition",
        "autoDeleverage",
        "provision",
        "refreshIsolatedDebt",
        "tradeProduct",
        "renounceRole",
    },
    "MarginEngineExtension": {"provision", "refreshIsolatedDebt"},
    "MarginEngineGovernance": {"renounceRole"},
    "Liquidator": {"liquidate", "liquidateMany", "renounceRole"},
    "InsuranceFund": {"fund", "sweep", "renounceRole"},
    # Wind-down: anyone may propose at the cap (what the sources report) and execute after the delay.
    "OracleAggregator": {"update", "proposeWindDown", "executeWindDown", "renounceRole"},
    # Token receiver hooks: they only answer their selector.
    "BallastTimelock": {"renounceRole", "onERC721Received", "onERC1155Received", "onERC1155BatchReceived"},
    # Anyone proposes (with a bond), reclaims an expired bond and finalizes an executed or cancelled listing.
    "AssetOnboarding": {"propose", "reclaim", "finalize", "renounceRole"},
}
# renounceRole(role, callerConfirmation) only ever drops the caller's own role.
AUTH_ERRORS = {
    "AccessControlUnauthorizedAccount",
    "Unauthorized",
    "NotMember",
    "NotMemberAdmin",
    "TimelockUnauthorizedCaller",
}


def default(abi_type, stranger):
    """A value of `abi_type` (an ethpm_types ABIType): the stranger for addresses, 1, True, zero bytes, empty
    dynamic arrays."""
    t = abi_type.type
    if t.endswith("]"):
        inner = abi_type.model_copy(update={"type": t[: t.rindex("[")]})
        size = t[t.rindex("[") + 1 : -1]
        return [default(inner, stranger)] * int(size) if size else []
    if t == "tuple":
        return tuple(default(c, stranger) for c in abi_type.components)
    if t == "address":
        return stranger.address
    if t == "bool":
        return True
    if t.startswith(("uint", "int")):
        return 1
    if t.startswith("bytes"):
        return b"" if t == "bytes" else b"\0" * int(t[5:])
    if t == "string":
        return ""
    raise NotImplementedError(t)


@pytest.fixture(scope="module")
def deployed(seeded, project, core, oracle, engine, gov, tokens):
    """name -> (address, ABI entries) of every contract under test."""
    extension_abi = project.MarginEngineExtension.contract_type.abi
    governance_abi = project.MarginEngineGovernance.contract_type.abi
    initialize = [e for e in governance_abi if getattr(e, "name", None) == "initialize"]
    pool_extension_abi = project.PoolExtension.contract_type.abi
    pool_initialize = [e for e in pool_extension_abi if getattr(e, "name", None) == "initialize"]
    timelock = deploy_timelock(project, gov, 3_600, [gov], [gov])
    onboarding = project.AssetOnboarding.deploy(
        tokens["USDC"],
        timelock,
        oracle,
        core.pool,
        engine,
        timelock,
        gov,
        (10**10, 7 * 86_400, 3_000, 2_000, 5 * 10**24, 10**24),
        sender=gov,
    )
    return {
        "Pool": (core.pool.address, [*pool_abi(project).abi, *pool_initialize]),
        "PoolExtension": (core.pool.extension(), pool_extension_abi),
        "MarginEngine": (engine.address, [*engine_abi(project).abi, *initialize]),
        "MarginEngineExtension": (engine.extension(), extension_abi),
        "MarginEngineGovernance": (
            project.MarginEngineExtension.at(engine.extension()).governance(),
            governance_abi,
        ),
        "Liquidator": (core.liquidator.address, project.Liquidator.contract_type.abi),
        "InsuranceFund": (core.insurance.address, project.InsuranceFund.contract_type.abi),
        "OracleAggregator": (oracle.address, project.OracleAggregator.contract_type.abi),
        "BallastTimelock": (timelock.address, project.BallastTimelock.contract_type.abi),
        "AssetOnboarding": (onboarding.address, project.AssetOnboarding.contract_type.abi),
    }


@pytest.fixture(scope="module")
def errors(deployed):
    """selector -> (name, input types) of every error in the ABIs."""
    found = {}
    for _, abi in deployed.values():
        for e in abi:
            if e.type == "error":
                types = [i.canonical_type for i in e.inputs]
                sig = f"{e.name}({','.join(types)})"
                found["0x" + function_signature_to_4byte_selector(sig).hex()] = (e.name, types)
    return found


def overrides(tokens) -> dict:
    """Arguments for the functions that validate them before checking the caller's role."""
    weth = tokens["WETH"].address
    market = (weth, *MARKETS[WETH_PERP][1:])
    return {
        "setCollateralParams": (weth, COLLATERAL["WETH"]),
        "setMarketParams": (WETH_PERP, market),
    }


@pytest.mark.parametrize("name", sorted(PERMISSIONLESS))
def test_access_control__every_non_view_function__reverts_for_a_stranger_unless_permissionless(
    deployed, errors, tokens, stranger, name
):
    address, abi = deployed[name]
    functions = [e for e in abi if e.type == "function" and e.stateMutability not in ("view", "pure")]
    names = {f.name for f in functions}
    assert PERMISSIONLESS[name] <= names, "a PERMISSIONLESS entry names no function"
    assert len(names) == len(functions), "overloads: name the signature"
    fixed = overrides(tokens)
    provider = ape.chain.provider.web3.provider
    violations = []
    for function in functions:
        types = [i.canonical_type for i in function.inputs]
        args = fixed.get(function.name) or tuple(default(i, stranger) for i in function.inputs)
        data = function_signature_to_4byte_selector(f"{function.name}({','.join(types)})") + encode(
            types, args
        )
        tx = {"from": stranger.address, "to": address, "data": "0x" + data.hex()}
        response = provider.make_request("eth_call", [tx, "latest"])
        error = response.get("error")
        revert = (error or {}).get("data") or ""
        decoded = errors.get(revert[:10])
        who = decode(decoded[1], bytes.fromhex(revert[10:]))[0] if decoded and decoded[1] else None
        is_auth = bool(decoded) and decoded[0] in AUTH_ERRORS and to_checksum_address(who) == stranger.address
        if function.name in PERMISSIONLESS[name]:
            if is_auth:
                violations.append((function.name, "permissionless but refused the stranger", decoded[0]))
        elif error is None:
            violations.append((function.name, "succeeded for a stranger"))
        elif name not in ("PoolExtension", "MarginEngineExtension", "MarginEngineGovernance") and not is_auth:
            violations.append((function.name, "reverted, but not for authorization", revert[:10], decoded))
    assert violations == []


def test_access_control__auth_errors_are_what_the_contracts_raise(core, engine, stranger):
    """The check above decodes AUTH_ERRORS by selector: the ABIs hold them with the stranger's address first."""
    assert selector(core.pool.Unauthorized) == selector(engine.Unauthorized)
    assert [i.name for i in core.lock.NotMember.abi.inputs] == ["caller"]
    assert [i.name for i in core.pool.AccessControlUnauthorizedAccount.abi.inputs] == [
        "account",
        "neededRole",
    ]
