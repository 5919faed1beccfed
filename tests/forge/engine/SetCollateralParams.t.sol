// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineSetCollateralParamsTest
/// @notice `MarginEngine.setCollateralParams`: roles, bounds and spaced tightening steps (fixture: EngineGovernanceBase).
contract MarginEngineSetCollateralParamsTest is EngineGovernanceBase {
    /// @notice The admin changes haircuts by any amount; the risk manager by at most 500 bps either way; anyone else
    /// not at all.
    function test_setCollateralParams__roles__bounded() public {
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 2_000));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 2_000, "admin: any step");
        vm.expectRevert(_bounds("maintHaircutBps", 2_600, 1_500, 2_500));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(3_000, 2_600));
        vm.expectRevert(_bounds("maintHaircutBps", 1_400, 1_500, 2_500));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 1_400));
        vm.expectRevert(
            abi.encodeWithSignature(
                "AccessControlUnauthorizedAccount(address,bytes32)", OTHER, keccak256("RISK_MANAGER_ROLE")
            )
        );
        vm.prank(OTHER);
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 2_000));
    }

    /// @notice From a zero haircut the risk manager's lower bound is zero.
    function test_setCollateralParams__fromZero__lowerBoundZero() public {
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 0));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 100));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 100, "stepped from zero");
    }

    /// @notice Tightening only the maintenance haircut is a tightening step: the next one on the same asset waits a
    /// day.
    function test_setCollateralParams__tightenTwice__spaced() public {
        uint256 t0 = vm.getBlockTimestamp();
        bytes32 subject = bytes32(uint256(uint160(address(wbtc))));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_200));
        vm.expectRevert(abi.encodeWithSignature("RiskStepTooSoon(bytes32,uint256)", subject, t0 + DAY));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        vm.warp(t0 + DAY - 1);
        vm.expectRevert(abi.encodeWithSignature("RiskStepTooSoon(bytes32,uint256)", subject, t0 + DAY));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        vm.warp(t0 + DAY);
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 1_300, "a day later");
    }

    /// @notice Loosening steps are not spaced.
    function test_setCollateralParams__loosenTwice__notSpaced() public {
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 900));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_400, 800));
        IMarginEngineTypes.CollateralParams memory c = engine.collateralParams(address(wbtc));
        assertEq(uint256(c.maintHaircutBps) * 10_000 + c.initialHaircutBps, 800 * 10_000 + 1_400, "loosened twice");
    }

    /// @notice The risk manager may step a haircut by a whole 500 bps at once (WETH's 1,500 / 1,000 to 1,900 /
    /// 1,500), not by 600 (reverts with the bounds); the admin (the timelock) makes any change within the absolute
    /// bounds.
    function test_setCollateralParams__riskManagerWholeStep__acceptedOneMoreReverts() public {
        vm.expectRevert(_bounds("maintHaircutBps", 1_600, 500, 1_500));
        vm.prank(RM);
        engine.setCollateralParams(address(weth), _collateral(2_000, 1_600));
        vm.prank(RM);
        engine.setCollateralParams(address(weth), _collateral(1_900, 1_500));
        assertEq(uint256(engine.collateralParams(address(weth)).maintHaircutBps), 1_500, "a whole step");
        engine.setCollateralParams(address(weth), _collateral(3_000, 2_500));
        assertEq(uint256(engine.collateralParams(address(weth)).maintHaircutBps), 2_500, "admin: any step");
    }
}
