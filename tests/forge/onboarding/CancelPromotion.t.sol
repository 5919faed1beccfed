// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingCancelPromotionTest
/// @notice `AssetOnboarding.cancelPromotion` (fixture: OnboardingFixture).
contract AssetOnboardingCancelPromotionTest is OnboardingFixture {
    /// @dev WETH isolated (directly, the test contract being an engine admin too): the asset promoted.
    function setUp() public override {
        super.setUp();
        engine.setCollateralIsolation(address(weth), 100_000e18);
    }

    /// @notice The committee cancels a scheduled promotion: the timelock forgets it.
    function test_cancelPromotion__scheduled__cancelledInTimelock() public {
        vm.prank(COMMITTEE);
        bytes32 operationId = onboarding.proposePromotion(address(weth), _full());
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.PromotionCancelled(address(weth), operationId);
        vm.prank(COMMITTEE);
        onboarding.cancelPromotion(operationId);
        assertTrue(!timelock.isOperation(operationId), "cancelled");
    }

    /// @notice Only promotions this contract scheduled are cancelled through it (a listing is cancelled with `cancel`),
    /// and only by the committee.
    function test_cancelPromotion__unknownOrNotCommittee__reverts() public {
        (, bytes32 listingOp) = _proposeAndApprove();
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.UnknownPromotion.selector, listingOp));
        vm.prank(COMMITTEE);
        onboarding.cancelPromotion(listingOp);

        vm.prank(COMMITTEE);
        bytes32 operationId = onboarding.proposePromotion(address(weth), _full());
        vm.expectRevert(_unauthorized(OTHER, onboarding.RISK_COMMITTEE_ROLE()));
        vm.prank(OTHER);
        onboarding.cancelPromotion(operationId);
        assertTrue(timelock.isOperationPending(operationId), "still scheduled");
        assertTrue(timelock.isOperationPending(listingOp), "listing untouched");
    }

    function _full() internal pure returns (IMarginEngineTypes.CollateralParams memory) {
        return IMarginEngineTypes.CollateralParams(2_000, 1_500, 2_500, 1_000_000e18);
    }
}
