// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineGovernance, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingProposePromotionTest
/// @notice `AssetOnboarding.proposePromotion` (fixture: OnboardingFixture).
contract AssetOnboardingProposePromotionTest is OnboardingFixture {
    /// @dev WETH isolated (directly, the test contract being an engine admin too): the asset promoted.
    function setUp() public override {
        super.setUp();
        engine.setCollateralIsolation(address(weth), 100_000e18);
    }

    /// @notice The committee schedules [setCollateralParams, setCollateralIsolation(asset, 0)] on the engine with the
    /// timelock's minimum delay; the operation id is the timelock's hash of that batch, and the promotion is stored and
    /// announced.
    function test_proposePromotion__collateral__schedulesParamsThenFullCollateral() public {
        IMarginEngineTypes.CollateralParams memory full = _full();
        bytes32 salt = keccak256(abi.encode(address(onboarding), bytes32("promotion"), uint256(1)));
        address[] memory targets = new address[](2);
        (targets[0], targets[1]) = (address(engine), address(engine));
        bytes[] memory payloads = new bytes[](2);
        payloads[0] = abi.encodeCall(IMarginEngineGovernance.setCollateralParams, (address(weth), full));
        payloads[1] = abi.encodeCall(IMarginEngineGovernance.setCollateralIsolation, (address(weth), 0));
        bytes32 expectedId = timelock.hashOperationBatch(targets, new uint256[](2), payloads, bytes32(0), salt);
        uint256 readyAt = vm.getBlockTimestamp() + DELAY;

        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.PromotionProposed(address(weth), expectedId, full, salt, readyAt);
        vm.prank(COMMITTEE);
        bytes32 operationId = onboarding.proposePromotion(address(weth), full);

        assertEq(operationId, expectedId, "the timelock's hash");
        assertEq(timelock.getTimestamp(operationId), readyAt, "ready after the min delay");
        IAssetOnboarding.Promotion memory promo = onboarding.promotion(operationId);
        assertEq(promo.asset, address(weth), "asset");
        assertEq(uint256(promo.number), 1, "first promotion");
        assertEq(uint256(promo.params.supplyCap), uint256(full.supplyCap), "params");
        assertEq(onboarding.promotionCount(), 1, "count");
        (address[] memory t, uint256[] memory v, bytes[] memory p, bytes32 s) = onboarding.promotionBatch(operationId);
        assertEq(timelock.hashOperationBatch(t, v, p, bytes32(0), s), operationId, "promotionBatch rebuilds the batch");
    }

    /// @notice The same promotion proposed twice is two operations (the salt counts promotions).
    function test_proposePromotion__twice__twoOperations() public {
        vm.startPrank(COMMITTEE);
        bytes32 first = onboarding.proposePromotion(address(weth), _full());
        bytes32 second = onboarding.proposePromotion(address(weth), _full());
        vm.stopPrank();
        assertTrue(first != second, "distinct operations");
        assertTrue(timelock.isOperationPending(first) && timelock.isOperationPending(second), "both scheduled");
        assertEq(uint256(onboarding.promotion(second).number), 2, "second number");
    }

    /// @notice Only a collateral of the engine is promoted: LTT (unlisted) and USDC (settlement) revert.
    function test_proposePromotion__notCollateral__reverts() public {
        address[2] memory assets_ = [address(ltt), address(usdc)];
        for (uint256 i = 0; i < 2; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.NotCollateral.selector, assets_[i]));
            vm.prank(COMMITTEE);
            onboarding.proposePromotion(assets_[i], _full());
        }
    }

    /// @notice A collateral that is not isolated (WBTC) is full collateral already: there is nothing to promote.
    function test_proposePromotion__notIsolated__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.NotIsolated.selector, address(wbtc)));
        vm.prank(COMMITTEE);
        onboarding.proposePromotion(address(wbtc), _full());
        assertEq(onboarding.promotionCount(), 0, "nothing scheduled");
    }

    /// @notice Only the risk committee proposes a promotion.
    function test_proposePromotion__notCommittee__reverts() public {
        IMarginEngineTypes.CollateralParams memory full = _full();
        vm.expectRevert(_unauthorized(PROPOSER, onboarding.RISK_COMMITTEE_ROLE()));
        vm.prank(PROPOSER);
        onboarding.proposePromotion(address(weth), full);
    }

    /// @notice `promotionBatch` of an operation that is not a promotion reverts.
    function test_promotionBatch__unknown__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.UnknownPromotion.selector, bytes32("x")));
        onboarding.promotionBatch("x");
    }

    function _full() internal pure returns (IMarginEngineTypes.CollateralParams memory) {
        return IMarginEngineTypes.CollateralParams(2_000, 1_500, 2_500, 1_000_000e18);
    }
}
