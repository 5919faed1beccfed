"""Governance (docs/design.md#governance): the BallastTimelock (OpenZeppelin TimelockController) is the admin of the
core;
admin actions are scheduled, wait out the delay, then execute; the risk manager's bounded steps need no timelock."""

import ape
import pytest

from ballast.governance import calldata, deploy_timelock, execute, govern, schedule
from ballast.system import CoreParams, Roles, deploy_core

from support.core import COLLATERAL, MARKETS, WETH_PERP

DELAY = 600
ADMIN_ROLE = b"\x00" * 32


@pytest.fixture(scope="module")
def timelock(project, gov):
    return deploy_timelock(project, gov, DELAY, [gov], [gov])


@pytest.fixture(scope="module")
def governed(project, gov, risk_manager, guardian, oracle, tokens, feeds, timelock):
    """A second core whose admin is the timelock."""
    return deploy_core(
        project, gov, oracle, tokens["USDC"], Roles(timelock, risk_manager, guardian), CoreParams()
    )


def list_everything(chain, timelock, core, tokens, gov):
    """The listings the engine tests make directly, each through the timelock."""
    for symbol, target in (("USDC", 5_000), ("WBTC", 2_500), ("WETH", 2_500), ("LTT", 0)):
        data = calldata(core.pool.listAsset, tokens[symbol], (target, 10_000, 0, 0, 2**127))
        govern(chain, timelock, core.pool, data, gov, gov)
    for symbol, params in COLLATERAL.items():
        govern(
            chain,
            timelock,
            core.engine,
            calldata(core.engine.listCollateral, tokens[symbol], params),
            gov,
            gov,
        )
    symbol, *rest = MARKETS[WETH_PERP]
    data = calldata(core.engine.listMarket, (tokens[symbol], *rest))
    return govern(chain, timelock, core.engine, data, gov, gov)


def test_deploy__timelock_holds_every_admin_role_and_the_deployer_none(governed, timelock, gov):
    for contract in (governed.pool, governed.engine, governed.liquidator, governed.insurance):
        assert contract.hasRole(ADMIN_ROLE, timelock)
        assert not contract.hasRole(ADMIN_ROLE, gov)


def test_admin_action__called_directly__reverts_unauthorized(governed, tokens, gov):
    with ape.reverts(governed.engine.AccessControlUnauthorizedAccount, account=gov, neededRole=ADMIN_ROLE):
        governed.engine.listCollateral(tokens["WETH"], COLLATERAL["WETH"], sender=gov)
    with ape.reverts(governed.pool.AccessControlUnauthorizedAccount, account=gov, neededRole=ADMIN_ROLE):
        governed.pool.listAsset(tokens["USDC"], (5_000, 10_000, 0, 0, 2**127), sender=gov)


def test_timelock__execute_before_delay__reverts_and_after_delay__applies(
    governed, timelock, tokens, gov, chain
):
    data = calldata(governed.pool.listAsset, tokens["USDC"], (5_000, 10_000, 0, 0, 2**127))
    operation = schedule(timelock, governed.pool, data, gov)
    with ape.reverts(timelock.TimelockUnexpectedOperationState, operationId=operation):
        execute(timelock, governed.pool, data, gov)
    chain.mine(timestamp=chain.pending_timestamp + DELAY)
    tx = execute(timelock, governed.pool, data, gov)
    assert governed.pool.assets() == [tokens["USDC"].address]
    assert tx.events.filter(timelock.CallExecuted)[0].id == operation


def test_timelock__only_proposers_schedule(governed, timelock, tokens, stranger):
    data = calldata(governed.pool.listAsset, tokens["USDC"], (5_000, 10_000, 0, 0, 2**127))
    with ape.reverts(timelock.AccessControlUnauthorizedAccount, account=stranger):
        schedule(timelock, governed.pool, data, stranger)


def test_governed_listing__then_risk_manager_steps_directly_but_not_beyond_the_step(
    governed, timelock, tokens, gov, risk_manager, chain
):
    tx = list_everything(chain, timelock, governed, tokens, gov)
    assert tx.events.filter(governed.engine.MarketListed)[0].market == WETH_PERP
    assert governed.engine.collateralAssets() == [tokens[s].address for s in COLLATERAL]

    weth = tokens["WETH"]
    initial, maint, shock, cap = COLLATERAL["WETH"]
    governed.engine.setCollateralParams(weth, (initial + 500, maint + 500, shock, cap), sender=risk_manager)
    assert governed.engine.collateralParams(weth).maintHaircutBps == maint + 500
    with ape.reverts(governed.engine.ParamOutOfBounds, value=maint + 1_100):
        governed.engine.setCollateralParams(
            weth, (initial + 1_100, maint + 1_100, shock, cap), sender=risk_manager
        )
    # The same change is the timelock's to make.
    data = calldata(governed.engine.setCollateralParams, weth, (initial + 1_100, maint + 1_100, shock, cap))
    govern(chain, timelock, governed.engine, data, gov, gov)
    assert governed.engine.collateralParams(weth).maintHaircutBps == maint + 1_100
