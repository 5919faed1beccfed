// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingEndToEndTest
/// @notice The whole process on the bench core (fixture: OnboardingFixture, the Pool seeded): LTT proposed, approved,
/// listed by the timelock after its delay, isolated (its debt ceiling binds a trader holding it), the bond returned;
/// then promoted to full collateral by a second timelocked batch, after which the same trade goes through.
contract AssetOnboardingEndToEndTest is OnboardingFixture {
    IMarginEngineTypes.CollateralParams internal full = IMarginEngineTypes.CollateralParams(2_000, 1_500, 2_500, 1e24);

    function setUp() public override {
        super.setUp();
        _seedPool(1_000_000e18); // USDC, WBTC and WETH
        _nextBlock();
    }

    /// @notice propose -> approve -> delay -> execute -> listed, isolated -> finalize (bond back) -> a trade above the
    /// debt ceiling refused, one below recorded against it -> promotion -> delay -> execute -> full collateral, the
    /// refused trade accepted.
    function test_onboarding__wholeProcess__listedIsolatedThenPromoted() public {
        // Propose and approve: the listing waits in the timelock.
        (uint256 id, bytes32 operationId) = _proposeAndApprove();
        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            onboarding.listingBatch(id);
        vm.expectRevert(
            abi.encodeWithSignature(
                "TimelockUnexpectedOperationState(bytes32,bytes32)", operationId, bytes32(uint256(1) << 2)
            )
        );
        timelock.executeBatch(targets, values, payloads, bytes32(0), salt); // not Ready before the delay

        // After the delay anyone executes it: LTT is an oracle asset, a pool asset and an isolated collateral.
        _executeListing(id);
        assertTrue(timelock.isOperationDone(operationId), "executed");
        assertEq(oracle.getAssetConfig(address(ltt)).sources[0].feed, address(lttFeed), "oracle lists it");
        assertEq(uint256(pool.assetParams(address(ltt)).maxWeightBps), 500, "pool lists it");
        IMarginEngineTypes.CollateralParams memory listed = engine.collateralParams(address(ltt));
        assertEq(uint256(listed.initialHaircutBps), 5_000, "isolated haircut");
        assertEq(uint256(listed.supplyCap), LTT_SUPPLY_CAP, "isolated supply cap");
        (uint256 ceiling, uint256 recorded) = engine.collateralIsolation(address(ltt));
        assertEq(ceiling, DEBT_CEILING_USD, "isolated with the proposed ceiling");
        assertEq(recorded, 0, "no debt yet");

        // The bond comes back.
        onboarding.finalize(id);
        assertEq(uint8(_status(id)), uint8(IAssetOnboarding.Status.Listed), "listed");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC, "bond back");

        // The ceiling binds: with 50,000 LTT (500,000 USD) and 100,000 USDC of cash, 100 WETH long (300,000 USD of
        // notional) passes the margin checks but not the 250,000 USD ceiling; 50 WETH does, recorded against it.
        assets.push(address(ltt));
        feedOf[address(ltt)] = lttFeed;
        _settlePrices();
        _nextBlock();
        _deposit(TRADER, ltt, 50_000e18);
        _deposit(TRADER, usdc, 100_000e6);
        _nextBlock();
        vm.expectPartialRevert(IMarginEngineTypes.DebtCeilingExceeded.selector);
        _open(TRADER, 0, 100e18);
        _open(TRADER, 0, 50e18);
        (uint256 debtUsd,) = engine.isolatedDebtOf(TRADER);
        (, recorded) = engine.collateralIsolation(address(ltt));
        assertEq(debtUsd, 150_000e18, "50 WETH at 3,000: the notional at entry (fees paid from cash)");
        assertEq(recorded, debtUsd, "recorded against LTT");

        // Promotion: full-collateral parameters and no ceiling, after the delay.
        vm.prank(COMMITTEE);
        bytes32 promotion = onboarding.proposePromotion(address(ltt), full);
        vm.warp(vm.getBlockTimestamp() + DELAY);
        (targets, values, payloads, salt) = onboarding.promotionBatch(promotion);
        vm.prank(OTHER);
        timelock.executeBatch(targets, values, payloads, bytes32(0), salt);
        (ceiling,) = engine.collateralIsolation(address(ltt));
        assertEq(ceiling, 0, "full collateral");
        assertEq(uint256(engine.collateralParams(address(ltt)).initialHaircutBps), 2_000, "promoted haircut");

        _settlePrices();
        _nextBlock();
        _open(TRADER, 0, 100e18);
        assertEq(int256(engine.position(TRADER, 0).size), 150e18, "the refused trade now goes through");
    }
}
