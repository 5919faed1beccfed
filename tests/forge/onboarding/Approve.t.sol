// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineGovernance} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPoolAdmin} from "../../../interfaces/IPool.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingApproveTest
/// @notice `AssetOnboarding.approve` (fixture: OnboardingFixture).
contract AssetOnboardingApproveTest is OnboardingFixture {
    /// @notice Approval schedules the four-call listing batch on the timelock with its minimum delay: the operation id
    /// is the timelock's own hash of the batch, ready two days later, and stored and announced with its salt.
    function test_approve__pending__schedulesListingBatchWithMinDelay() public {
        uint256 id = _propose(_listing());
        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            onboarding.listingBatch(id);
        bytes32 expectedId = timelock.hashOperationBatch(targets, values, payloads, bytes32(0), salt);
        uint256 readyAt = vm.getBlockTimestamp() + DELAY;

        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.Approved(id, address(ltt), expectedId, salt, readyAt);
        vm.prank(COMMITTEE);
        bytes32 operationId = onboarding.approve(id);

        assertEq(operationId, expectedId, "the timelock's hash of the batch");
        assertTrue(timelock.isOperationPending(operationId), "scheduled");
        assertEq(timelock.getTimestamp(operationId), readyAt, "ready after the min delay");
        IAssetOnboarding.Proposal memory p = onboarding.proposal(id);
        assertEq(uint8(p.status), uint8(IAssetOnboarding.Status.Approved), "approved");
        assertEq(p.operationId, operationId, "operation stored");
        assertEq(onboarding.queuedListing(address(ltt)), id, "queued");
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "bond still held");
    }

    /// @notice The batch: oracle listing, Pool listing, collateral listing, isolation ceiling, in that order, each
    /// with the proposal's values, and a salt derived from the contract and the id.
    function test_listingBatch__proposal__fourCallsInOrder() public {
        IAssetOnboarding.Listing memory l = _listing();
        uint256 id = _propose(l);
        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            onboarding.listingBatch(id);
        assertEq(targets.length, 4, "four calls");
        assertEq(targets[0], address(oracle), "oracle first");
        assertEq(targets[1], address(pool), "then the Pool");
        assertEq(targets[2], address(engine), "then the engine");
        assertEq(targets[3], address(engine), "twice");
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(values[i], 0, "no ether");
        }
        assertEq(
            keccak256(payloads[0]),
            keccak256(abi.encodeCall(IOracleAggregator.setAssetConfig, (address(ltt), l.oracleConfig))),
            "oracle config"
        );
        assertEq(
            keccak256(payloads[1]),
            keccak256(abi.encodeCall(IPoolAdmin.listAsset, (address(ltt), l.poolParams))),
            "pool params"
        );
        assertEq(
            keccak256(payloads[2]),
            keccak256(abi.encodeCall(IMarginEngineGovernance.listCollateral, (address(ltt), l.collateralParams))),
            "collateral params"
        );
        assertEq(
            keccak256(payloads[3]),
            keccak256(abi.encodeCall(IMarginEngineGovernance.setCollateralIsolation, (address(ltt), DEBT_CEILING_USD))),
            "isolation"
        );
        assertEq(salt, keccak256(abi.encode(address(onboarding), bytes32("listing"), id)), "salt");
    }

    /// @notice Only the risk committee approves: the proposer, a stranger and the timelock itself revert.
    function test_approve__notCommittee__reverts() public {
        uint256 id = _propose(_listing());
        address[3] memory callers = [PROPOSER, OTHER, address(timelock)];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(_unauthorized(callers[i], onboarding.RISK_COMMITTEE_ROLE()));
            vm.prank(callers[i]);
            onboarding.approve(id);
        }
    }

    /// @notice Only a Pending proposal is approved: an unknown id, an approved and a rejected one revert.
    function test_approve__notPending__revertsWrongStatus() public {
        vm.expectRevert(_wrongStatus(7, IAssetOnboarding.Status.None, IAssetOnboarding.Status.Pending));
        vm.prank(COMMITTEE);
        onboarding.approve(7);

        (uint256 id,) = _proposeAndApprove();
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Approved, IAssetOnboarding.Status.Pending));
        vm.prank(COMMITTEE);
        onboarding.approve(id);

        uint256 rejected = _propose(_listing());
        vm.prank(COMMITTEE);
        onboarding.reject(rejected, "no");
        vm.expectRevert(_wrongStatus(rejected, IAssetOnboarding.Status.Rejected, IAssetOnboarding.Status.Pending));
        vm.prank(COMMITTEE);
        onboarding.approve(rejected);
    }

    /// @notice The committee may decide up to the deadline second inclusive, not after (approval at the deadline works;
    /// a decision a second later reverts).
    function test_approve__afterDeadline__revertsReviewClosed() public {
        uint256 id = _propose(_listing());
        uint256 late = _propose(_listing());
        uint256 deadline = vm.getBlockTimestamp() + REVIEW_PERIOD;
        vm.warp(deadline);
        vm.prank(COMMITTEE);
        onboarding.approve(id);
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Approved), "approved at the deadline");

        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.ReviewClosed.selector, late, deadline));
        vm.prank(COMMITTEE);
        onboarding.approve(late);
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.ReviewClosed.selector, late, deadline));
        vm.prank(COMMITTEE);
        onboarding.reject(late, "late");
    }

    /// @notice While one listing of an asset is queued, a second proposal of it cannot be approved.
    function test_approve__listingOfAssetQueued__revertsListingQueued() public {
        (uint256 first,) = _proposeAndApprove();
        uint256 second = _propose(_listing());
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.ListingQueued.selector, address(ltt), first));
        vm.prank(COMMITTEE);
        onboarding.approve(second);
    }

    /// @notice An asset listed since the proposal (here in the oracle) is refused at approval too.
    function test_approve__listedSinceProposal__revertsAlreadyListed() public {
        uint256 id = _propose(_listing());
        oracle.setAssetConfig(address(ltt), _benchOracleConfig(lttFeed));
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.AlreadyListed.selector, address(ltt), address(oracle)));
        vm.prank(COMMITTEE);
        onboarding.approve(id);
    }

    /// @notice Without the timelock's proposer role the contract cannot schedule: the timelock's own error.
    function test_approve__withoutProposerRole__revertsInTimelock() public {
        timelock.revokeRole(timelock.PROPOSER_ROLE(), address(onboarding));
        uint256 id = _propose(_listing());
        vm.expectRevert(_unauthorized(address(onboarding), timelock.PROPOSER_ROLE()));
        vm.prank(COMMITTEE);
        onboarding.approve(id);
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Pending), "still pending");
    }

    /// @notice `listingBatch` of a number never used reverts.
    function test_listingBatch__unknownId__revertsWrongStatus() public {
        vm.expectRevert(_wrongStatus(3, IAssetOnboarding.Status.None, IAssetOnboarding.Status.Pending));
        onboarding.listingBatch(3);
    }
}
