// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {MockCallbackToken} from "../../../contracts/mocks/MockTokens.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingRejectTest
/// @notice `AssetOnboarding.reject` (fixture: OnboardingFixture).
contract AssetOnboardingRejectTest is OnboardingFixture {
    /// @notice A rejection records the status and returns the whole bond to the proposer at once, announcing both.
    function test_reject__pending__returnsBondAtOnce() public {
        uint256 id = _propose(_listing());
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.Rejected(id, address(ltt), "feeds too thin");
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.BondReturned(id, PROPOSER, MIN_BOND);
        vm.prank(COMMITTEE);
        onboarding.reject(id, "feeds too thin");

        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Rejected), "rejected");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back");
        assertEq(usdc.balanceOf(address(onboarding)), 0, "nothing held");
        assertEq(onboarding.queuedListing(address(ltt)), 0, "nothing queued");
    }

    /// @notice Only the risk committee rejects.
    function test_reject__notCommittee__reverts() public {
        uint256 id = _propose(_listing());
        vm.expectRevert(_unauthorized(OTHER, onboarding.RISK_COMMITTEE_ROLE()));
        vm.prank(OTHER);
        onboarding.reject(id, "");
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Pending), "still pending");
    }

    /// @notice A bond is paid once: after a rejection, rejecting again, reclaiming after the deadline and finalizing
    /// all revert, and the contract's balance stays what the other proposal's bond is.
    function test_reject__thenEveryOtherPayout__revertsAndPaysNothingMore() public {
        uint256 id = _propose(_listing());
        _propose(_listing()); // another bond the contract holds
        vm.prank(COMMITTEE);
        onboarding.reject(id, "no");

        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Rejected, IAssetOnboarding.Status.Pending));
        vm.prank(COMMITTEE);
        onboarding.reject(id, "no");
        vm.warp(vm.getBlockTimestamp() + REVIEW_PERIOD + 1);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Rejected, IAssetOnboarding.Status.Pending));
        onboarding.reclaim(id);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Rejected, IAssetOnboarding.Status.Approved));
        onboarding.finalize(id);
        vm.expectRevert(_wrongStatus(id, IAssetOnboarding.Status.Rejected, IAssetOnboarding.Status.Approved));
        vm.prank(COMMITTEE);
        onboarding.cancel(id);

        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC - MIN_BOND, "one bond back, one held");
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "the other bond held");
    }

    /// @notice A bond token that calls back into the contract while the bond is returned (to reclaim it a second time)
    /// makes the rejection revert `Reentered`: nothing is paid, the proposal stays Pending.
    function test_reject__bondTokenReenters__revertsAndPaysNothing() public {
        MockCallbackToken token = _newCallbackToken();
        AssetOnboarding hooked = _newOnboarding(address(token));
        token.mint(PROPOSER, MIN_BOND);
        vm.startPrank(PROPOSER);
        token.approve(address(hooked), MIN_BOND);
        uint256 id = hooked.propose(_listing(), MIN_BOND);
        vm.stopPrank();
        token.arm(address(hooked), abi.encodeCall(hooked.reclaim, (id)));

        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.Reentered.selector));
        vm.prank(COMMITTEE);
        hooked.reject(id, "no");
        assertEq(uint8(hooked.proposal(id).status), uint8(IAssetOnboarding.Status.Pending), "still pending");
        assertEq(token.balanceOf(address(hooked)), MIN_BOND, "bond held");
        assertEq(token.balanceOf(PROPOSER), 0, "nothing paid");
    }
}
