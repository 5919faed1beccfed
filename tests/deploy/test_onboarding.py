"""Asset onboarding on a deployment of config/local.yaml: a token proposed with its sources, parameters and a bond,
approved by the risk committee, listed by the timelock after its delay (isolated), its bond returned by `finalize`;
then promoted to full collateral through a second timelocked batch. Every step through the deployment's own
contracts and roles (the committee is the config's risk manager, the executor the deployer)."""

import ape
import pytest

from ballast.deploy import run_deploy
from ballast.governance import execute_batch
from ballast.manifest import Deployment

from support.deploy import LOCAL_CONFIG, deploy_context

WAD = 10**18
USDC = 10**6
LISTED = 6  # IAssetOnboarding.Status.Listed
BOND = 10_000 * USDC  # config/local.yaml: onboarding.minBond
DELAY = 600  # config/local.yaml: roles.timelock.minDelay
ISOLATED = (5_000, 4_000, 5_000, 200_000 * WAD)  # haircuts, stress shock, 200,000 tokens (1,000,000 USD at 5)
CEILING = 250_000 * WAD
FULL = (2_000, 1_500, 2_500, 1_000_000 * WAD)


@pytest.fixture(scope="module")
def deployment(project, chain, accounts, deployments):
    outcome = run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)
    return Deployment(project, outcome.manifest)


@pytest.fixture(scope="module")
def candidate(project, stranger):
    """A token at 5 USD on two MockFeeds (8 decimals), with its listing: quorum 2, the local oracle defaults."""
    token = project.MockERC20.deploy("Onboarded Token", "ONB", 18, sender=stranger)
    feeds = [project.MockFeed.deploy(8, 5 * 10**8, f"ONB / USD #{i}", sender=stranger) for i in (1, 2)]
    sources = [(feed.address, 3_600, 10**6, 10**12) for feed in feeds]  # 0.01 to 10,000 USD
    oracle_config = (sources, 2, 300, 500, 300, 900, 32)
    pool_params = (0, 500, 50, 100, 1_000_000 * WAD)
    return token, (token.address, oracle_config, pool_params, ISOLATED, CEILING)


def _wait_out_the_delay(chain):
    chain.mine(timestamp=chain.pending_timestamp + DELAY)


def test_onboarding__propose_approve_execute_finalize_promote__listed_isolated_then_full_collateral(
    deployment, candidate, chain, lp, risk_manager, gov, stranger
):
    d, (token, listing) = deployment, candidate
    onboarding, timelock, usdc = d.onboarding, d.timelock, d.tokens["USDC"]
    usdc.mint(lp, BOND, sender=lp)
    usdc.approve(onboarding, BOND, sender=lp)

    onboarding.propose(listing, BOND, sender=lp)
    proposal_id = int(onboarding.proposalCount())
    assert int(usdc.balanceOf(lp)) == 0 and int(usdc.balanceOf(onboarding)) == BOND

    onboarding.approve(proposal_id, sender=risk_manager)
    operation = onboarding.proposal(proposal_id).operationId
    assert int(timelock.getTimestamp(operation)) == chain.blocks.head.timestamp + DELAY
    batch = onboarding.listingBatch(proposal_id)
    with ape.reverts(timelock.TimelockUnexpectedOperationState):
        execute_batch(timelock, batch, gov)  # not ready before the delay
    with ape.reverts(onboarding.ListingNotExecuted):
        onboarding.finalize(proposal_id, sender=stranger)

    _wait_out_the_delay(chain)
    execute_batch(timelock, batch, gov)
    assert timelock.isOperationDone(operation)
    assert tuple(d.engine.collateralParams(token)) == ISOLATED
    assert tuple(d.engine.collateralIsolation(token)) == (CEILING, 0)  # isolated, no debt recorded yet
    assert str(d.pool.assets()[-1]) == token.address
    assert int(d.oracle.getAssetConfig(token).quorum) == 2

    onboarding.finalize(proposal_id, sender=stranger)
    assert int(onboarding.proposal(proposal_id).status) == LISTED
    assert int(usdc.balanceOf(lp)) == BOND and int(usdc.balanceOf(onboarding)) == 0
    with ape.reverts(onboarding.WrongStatus):
        onboarding.finalize(proposal_id, sender=stranger)  # the bond is paid once

    # Promotion: the committee schedules the full-collateral parameters and the end of isolation.
    receipt = onboarding.proposePromotion(token, FULL, sender=risk_manager)
    promotion = next(iter(onboarding.PromotionProposed.from_receipt(receipt))).operationId
    batch = onboarding.promotionBatch(promotion)
    _wait_out_the_delay(chain)
    execute_batch(timelock, batch, gov)
    assert timelock.isOperationDone(promotion)
    assert tuple(d.engine.collateralParams(token)) == FULL
    assert tuple(d.engine.collateralIsolation(token)) == (0, 0)  # full collateral
