"""Attack suite fixtures: the whole core (`support.core_fixtures`), a way to list extra tokens, and the Batcher helper
contract (Batcher.sol here, compiled by the suite with the project's solc) that runs many calls in one transaction."""

from pathlib import Path

import ape
import pytest

from ballast.mocks import Terms, deploy_mocks, one_feed

from support.core import FEED_DECIMALS, MAX_PRICE_AGE, MAX_UINT, TWAP_WINDOW
from support.core_fixtures import *  # noqa: F403  (pytest registers the fixtures a conftest imports)


@pytest.fixture(scope="module")
def list_token(project, gov, oracle, pool, engine):
    """List `token` at `price` USD: in the oracle (one 8-decimal MockFeed, returned), in the Pool (no fees, no
    target weight) and, given `collateral` params, as engine collateral."""

    def _list(token, price: float, collateral=None):
        terms = Terms(1, 500, 500, TWAP_WINDOW, MAX_PRICE_AGE, 16)
        asset = one_feed("X", 18, int(price * 10**FEED_DECIMALS), terms, label="feed")
        feed = deploy_mocks(project, gov, [asset], oracle=oracle, tokens={"X": token}).feeds["X"][0]
        pool.listAsset(token, (0, 10_000, 0, 0, 2**127), sender=gov)
        if collateral is not None:
            engine.listCollateral(token, collateral, sender=gov)
        return feed

    return _list


@pytest.fixture(scope="module")
def give(tokens, accounts):
    """Mint `amount` of `token` (a symbol or a token) to `account` (an account or a contract) and approve every
    `spender` for all of it (accounts only: a Batcher approves through its own calls)."""

    def _give(account, token, amount: int, *spenders):
        token = tokens[token] if isinstance(token, str) else token
        token.mint(account, amount, sender=accounts[9])
        for spender in spenders:
            token.approve(spender, MAX_UINT, sender=account)
        return token

    return _give


@ape.fixture(scope="session", chain_isolation=False)
def batcher_type(project):
    """The Batcher's contract type, compiled from Batcher.sol by the project's solc (standard JSON, which the solc
    bridge serves) with the project's settings."""
    import solcx
    from ethpm_types import ContractType

    settings = project.config.solidity
    source = (Path(__file__).parent / "Batcher.sol").read_text()
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"Batcher.sol": {"content": source}},
            "settings": {
                "evmVersion": settings.evm_version,
                "optimizer": {"enabled": True, "runs": settings.optimization_runs},
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        },
        solc_version=str(settings.version),
    )
    built = output["contracts"]["Batcher.sol"]["Batcher"]
    return ContractType(
        contractName="Batcher",
        abi=built["abi"],
        deploymentBytecode={"bytecode": "0x" + built["evm"]["bytecode"]["object"]},
    )


@pytest.fixture(scope="module")
def deploy_batcher(batcher_type, gov):
    """Deploy a fresh Batcher (each one is its own account)."""
    from ape.contracts import ContractContainer

    def _deploy():
        return ContractContainer(batcher_type).deploy(sender=gov)

    return _deploy


#: Gas for one big simulated transaction (the 1,000-operation loops), and the block gas limit it needs meanwhile.
BIG_CALL_GAS = 2**36


@pytest.fixture
def big_calls(chain):
    """`big_calls(method, *args)`: `method.call(*args)` with up to 2**36 gas. An eth_call keeps no trace; a mined
    transaction that size would make the test anvil (ape runs it with --steps-tracing) hold gigabytes of step
    traces. The block gas limit is raised for the call and restored after the test."""
    limit = chain.blocks.head.gas_limit

    def _call(method, *args):
        chain.provider.set_block_gas_limit(2 * BIG_CALL_GAS)
        chain.mine()
        return method.call(*args, gas=BIG_CALL_GAS)

    yield _call
    chain.provider.set_block_gas_limit(limit)
