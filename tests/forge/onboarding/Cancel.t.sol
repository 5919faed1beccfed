// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingCancelTest
/// @notice `AssetOnboarding.cancel` (fixture: OnboardingFixture).
contract AssetOnboardingCancelTest is OnboardingFixture {
    /// @notice The committee cancels a queued listing: the timelock forgets the operation, the proposal is Cancelled,
    /// the asset is no longer queued and the bond goes back.
    function test_cancel__approved__cancelsOperationAndReturnsBond() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.ListingCancelled(id, address(ltt), operationId);
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.BondReturned(id, PROPOSER, MIN_BOND);
        vm.prank(COMMITTEE);
        onboarding.cancel(id);

        assertTrue(!timelock.isOperation(operationId), "operation cancelled");
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Cancelled), "cancelled");
        assertEq(onboarding.queuedListing(address(ltt)), 0, "no longer queued");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back");
    }

    /// @notice After a cancellation the asset may be proposed and approved again: a new operation.
    function test_cancel__thenNewProposal__approvedAsANewOperation() public {
        (uint256 id, bytes32 first) = _proposeAndApprove();
        vm.prank(COMMITTEE);
        onboarding.cancel(id);
        (uint256 again, bytes32 second) = _proposeAndApprove();
        assertEq(again, 2, "second proposal");
        assertTrue(second != first, "another salt, another operation");
        assertTrue(timelock.isOperationPending(second), "scheduled");
        assertEq(onboarding.queuedListing(address(ltt)), again, "queued again");
    }

    /// @notice Only the committee cancels, and only an approved proposal; cancelling twice pays nothing more.
    function test_cancel__notCommitteeOrNotApproved__reverts() public {
        uint256 pending = _propose(_listing());
        vm.expectRevert(_wrongStatus(pending, IAssetOnboarding.Status.Pending, IAssetOnboarding.Status.Approved));
        vm.prank(COMMITTEE);
        onboarding.cancel(pending);

        vm.prank(COMMITTEE);
        bytes32 operationId = onboarding.approve(pending);
        vm.expectRevert(_unauthorized(PROPOSER, onboarding.RISK_COMMITTEE_ROLE()));
        vm.prank(PROPOSER);
        onboarding.cancel(pending);

        vm.prank(COMMITTEE);
        onboarding.cancel(pending);
        vm.expectRevert(_wrongStatus(pending, IAssetOnboarding.Status.Cancelled, IAssetOnboarding.Status.Approved));
        vm.prank(COMMITTEE);
        onboarding.cancel(pending);
        assertTrue(!timelock.isOperation(operationId), "cancelled once");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "paid once");
    }

    /// @notice Without the timelock's canceller role the cancellation reverts in the timelock and nothing changes.
    function test_cancel__withoutCancellerRole__revertsInTimelock() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        timelock.revokeRole(timelock.CANCELLER_ROLE(), address(onboarding));
        vm.expectRevert(_unauthorized(address(onboarding), timelock.CANCELLER_ROLE()));
        vm.prank(COMMITTEE);
        onboarding.cancel(id);
        assertTrue(timelock.isOperationPending(operationId), "still scheduled");
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Approved), "still approved");
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "bond held");
    }

    /// @notice An executed listing cannot be cancelled (the timelock expects a pending operation: Waiting or Ready,
    /// bitmap 6); `finalize` closes it instead.
    function test_cancel__executed__revertsInTimelock() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        _executeListing(id);
        vm.expectRevert(
            abi.encodeWithSignature(
                "TimelockUnexpectedOperationState(bytes32,bytes32)", operationId, bytes32(uint256(6))
            )
        );
        vm.prank(COMMITTEE);
        onboarding.cancel(id);
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Approved), "still approved");
    }
}
