// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingFinalizeTest
/// @notice `AssetOnboarding.finalize` (fixture: OnboardingFixture).
contract AssetOnboardingFinalizeTest is OnboardingFixture {
    /// @notice While the listing waits in the timelock, before and after it is ready, finalize reverts with the time it
    /// is ready at, and the bond stays.
    function test_finalize__notExecuted__revertsListingNotExecuted() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        uint256 readyAt = vm.getBlockTimestamp() + DELAY;
        bytes memory err =
            abi.encodeWithSelector(IAssetOnboarding.ListingNotExecuted.selector, id, operationId, readyAt);
        vm.expectRevert(err);
        onboarding.finalize(id);
        vm.warp(readyAt + 1);
        vm.expectRevert(err);
        onboarding.finalize(id);
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "bond held");
    }

    /// @notice Once the timelock executed the listing, `finalize` (anyone) closes the proposal as Listed and returns the
    /// bond; finalizing again pays nothing more.
    function test_finalize__executed__listedAndBondReturnedOnce() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        _executeListing(id);
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.Listed(id, address(ltt), operationId);
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.BondReturned(id, PROPOSER, MIN_BOND);
        vm.prank(OTHER);
        IAssetOnboarding.Status status = onboarding.finalize(id);

        assertEq(uint8(status), uint8(IAssetOnboarding.Status.Listed), "returned status");
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Listed), "stored status");
        assertEq(onboarding.queuedListing(address(ltt)), 0, "no longer queued");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back");
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Listed, IAssetOnboarding.Status.Approved));
        onboarding.finalize(id);
        assertEq(usdc.balanceOf(address(onboarding)), 0, "paid once");
    }

    /// @notice A listing cancelled in the timelock by another canceller closes as Cancelled and returns the bond;
    /// finalizing again reverts.
    function test_finalize__cancelledInTimelock__closesCancelledAndReturnsBond() public {
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(this));
        timelock.cancel(operationId);

        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.ListingCancelled(id, address(ltt), operationId);
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.BondReturned(id, PROPOSER, MIN_BOND);
        vm.prank(OTHER);
        IAssetOnboarding.Status status = onboarding.finalize(id);

        assertEq(uint8(status), uint8(IAssetOnboarding.Status.Cancelled), "returned status");
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Cancelled), "stored status");
        assertEq(onboarding.queuedListing(address(ltt)), 0, "no longer queued");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back");
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Cancelled, IAssetOnboarding.Status.Approved));
        onboarding.finalize(id);
    }

    /// @notice Only an approved proposal is finalized: an unknown id and a pending one revert.
    function test_finalize__notApproved__revertsWrongStatus() public {
        vm.expectRevert(_wrongStatus(1, IAssetOnboarding.Status.None, IAssetOnboarding.Status.Approved));
        onboarding.finalize(1);
        uint256 id = _propose(_listing());
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Pending, IAssetOnboarding.Status.Approved));
        onboarding.finalize(id);
    }
}
