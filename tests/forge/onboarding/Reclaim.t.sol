// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingReclaimTest
/// @notice `AssetOnboarding.reclaim` (fixture: OnboardingFixture).
contract AssetOnboardingReclaimTest is OnboardingFixture {
    /// @notice Up to the deadline second the review is open and nothing comes back.
    function test_reclaim__atOrBeforeDeadline__revertsReviewOpen() public {
        uint256 id = _propose(_listing());
        uint256 deadline = vm.getBlockTimestamp() + REVIEW_PERIOD;
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.ReviewOpen.selector, id, deadline));
        onboarding.reclaim(id);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.ReviewOpen.selector, id, deadline));
        onboarding.reclaim(id);
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "bond held");
    }

    /// @notice After the deadline anyone may reclaim: the proposal is Expired and the bond goes to the proposer, not
    /// to the caller.
    function test_reclaim__afterDeadline__expiresAndReturnsBondToProposer() public {
        uint256 id = _propose(_listing());
        vm.warp(vm.getBlockTimestamp() + REVIEW_PERIOD + 1);
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.Expired(id, address(ltt));
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.BondReturned(id, PROPOSER, MIN_BOND);
        vm.prank(OTHER);
        onboarding.reclaim(id);

        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Expired), "expired");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back to the proposer");
        assertEq(usdc.balanceOf(OTHER), 0, "the caller gets nothing");
    }

    /// @notice A bond is paid once: a second reclaim, and a decision after expiry, revert.
    function test_reclaim__twice__revertsWrongStatus() public {
        uint256 id = _propose(_listing());
        vm.warp(vm.getBlockTimestamp() + REVIEW_PERIOD + 1);
        onboarding.reclaim(id);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Expired, IAssetOnboarding.Status.Pending));
        onboarding.reclaim(id);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Expired, IAssetOnboarding.Status.Pending));
        vm.prank(COMMITTEE);
        onboarding.approve(id);
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "paid once");
        assertEq(usdc.balanceOf(address(onboarding)), 0, "nothing left");
    }

    /// @notice An approved proposal is not reclaimed after its deadline: its bond waits for `finalize`.
    function test_reclaim__approved__revertsWrongStatus() public {
        (uint256 id,) = _proposeAndApprove();
        vm.warp(vm.getBlockTimestamp() + REVIEW_PERIOD + 1);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Approved, IAssetOnboarding.Status.Pending));
        onboarding.reclaim(id);
    }
}
