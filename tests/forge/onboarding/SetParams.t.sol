// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingSetParamsTest
/// @notice `AssetOnboarding.setParams` (fixture: OnboardingFixture; the timelock is the admin).
contract AssetOnboardingSetParamsTest is OnboardingFixture {
    /// @notice The admin's parameters are stored and announced, and the next proposal is held to them.
    function test_setParams__admin__storesEmitsAndApplies() public {
        IAssetOnboarding.OnboardingParams memory p = _defaultParams();
        p.minBond = 20_000e6;
        p.minInitialHaircutBps = 6_000;
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.ParamsSet(p);
        vm.prank(address(timelock));
        onboarding.setParams(p);
        assertEq(keccak256(abi.encode(onboarding.params())), keccak256(abi.encode(p)), "stored");

        IAssetOnboarding.Listing memory l = _listing();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAssetOnboarding.HaircutBelowIsolation.selector, bytes32("initialHaircutBps"), 5_000, 6_000
            )
        );
        vm.prank(PROPOSER);
        onboarding.propose(l, 20_000e6);
        l.collateralParams.initialHaircutBps = 6_000;
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.BondBelowMinimum.selector, MIN_BOND, 20_000e6));
        vm.prank(PROPOSER);
        onboarding.propose(l, MIN_BOND);
        vm.prank(PROPOSER);
        uint256 id = onboarding.propose(l, 20_000e6);
        assertEq(onboarding.proposal(id).bond, 20_000e6, "held to the new minimum");
    }

    /// @notice Only the admin (the timelock) sets the parameters: the committee and a stranger revert.
    function test_setParams__notAdmin__reverts() public {
        IAssetOnboarding.OnboardingParams memory p = _defaultParams();
        address[2] memory callers = [COMMITTEE, OTHER];
        for (uint256 i = 0; i < 2; ++i) {
            vm.expectRevert(_unauthorized(callers[i], bytes32(0)));
            vm.prank(callers[i]);
            onboarding.setParams(p);
        }
    }

    /// @notice Each parameter outside its bounds reverts `ParamOutOfBounds` with its name, value and bounds (the
    /// minimum bond up to a billion USDC, the review 1 to 30 days, the haircut minimums within the engine's bounds and
    /// the initial at least the maintenance one, the USD maxima 1 USD to a billion USD); the bounds themselves pass.
    function test_setParams__outOfBounds__revertsEachWithItsBounds() public {
        IAssetOnboarding.OnboardingParams memory p;
        uint256 maxBond = 1e15;
        p = _defaultParams();
        p.minBond = 0;
        _expectBounds(p, _bounds("minBond", 0, 1, maxBond));
        p.minBond = uint128(maxBond + 1);
        _expectBounds(p, _bounds("minBond", maxBond + 1, 1, maxBond));
        p = _defaultParams();
        p.reviewPeriod = 1 days - 1;
        _expectBounds(p, _bounds("reviewPeriod", 1 days - 1, 1 days, 30 days));
        p.reviewPeriod = 30 days + 1;
        _expectBounds(p, _bounds("reviewPeriod", 30 days + 1, 1 days, 30 days));
        p = _defaultParams();
        p.minMaintHaircutBps = 9_001;
        p.minInitialHaircutBps = 9_001;
        _expectBounds(p, _bounds("minMaintHaircutBps", 9_001, 0, 9_000));
        p = _defaultParams();
        p.minInitialHaircutBps = MIN_MAINT_HAIRCUT_BPS - 1;
        _expectBounds(p, _bounds("minInitialHaircutBps", MIN_MAINT_HAIRCUT_BPS - 1, MIN_MAINT_HAIRCUT_BPS, 9_500));
        p.minInitialHaircutBps = 9_501;
        _expectBounds(p, _bounds("minInitialHaircutBps", 9_501, MIN_MAINT_HAIRCUT_BPS, 9_500));
        p = _defaultParams();
        p.maxSupplyCapUsd = 1e18 - 1;
        _expectBounds(p, _bounds("maxSupplyCapUsd", 1e18 - 1, 1e18, 1e27));
        p.maxSupplyCapUsd = 1e27 + 1;
        _expectBounds(p, _bounds("maxSupplyCapUsd", 1e27 + 1, 1e18, 1e27));
        p = _defaultParams();
        p.maxDebtCeilingUsd = 1e18 - 1;
        _expectBounds(p, _bounds("maxDebtCeilingUsd", 1e18 - 1, 1e18, 1e27));
        p.maxDebtCeilingUsd = 1e27 + 1;
        _expectBounds(p, _bounds("maxDebtCeilingUsd", 1e27 + 1, 1e18, 1e27));

        IAssetOnboarding.OnboardingParams memory edges =
            IAssetOnboarding.OnboardingParams(uint128(maxBond), 30 days, 9_500, 9_000, 1e27, 1e18);
        vm.prank(address(timelock));
        onboarding.setParams(edges);
        assertEq(keccak256(abi.encode(onboarding.params())), keccak256(abi.encode(edges)), "upper edges accepted");
        edges = IAssetOnboarding.OnboardingParams(1, 1 days, 0, 0, 1e18, 1e27);
        vm.prank(address(timelock));
        onboarding.setParams(edges);
        assertEq(keccak256(abi.encode(onboarding.params())), keccak256(abi.encode(edges)), "lower edges accepted");
    }

    function _expectBounds(IAssetOnboarding.OnboardingParams memory p, bytes memory err) internal {
        vm.expectRevert(err);
        vm.prank(address(timelock));
        onboarding.setParams(p);
    }
}
