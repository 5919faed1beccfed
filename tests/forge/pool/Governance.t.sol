// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolGovernanceTest
/// @notice the Pool's bounded governance setters (fixture: StandalonePoolBase).
contract PoolGovernanceTest is StandalonePoolBase {
    /// @notice A parameter below its minimum or above its maximum reverts ParamOutOfBounds(name, value, min, max);
    /// values at the bounds are set.
    function test_setters__outOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("kinkBps"), 499, 500, 9_500
            )
        );
        pool.setRateModel(IPoolTypes.RateModel(200, 1_000, 499, 15_000));
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("kinkBps"), 9_501, 500, 9_500
            )
        );
        pool.setRateModel(IPoolTypes.RateModel(200, 1_000, 9_501, 15_000));
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("maxUtilizationBps"), 999, 1_000, 10_000
            )
        );
        pool.setMaxUtilization(999);
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("cooldown"), 2 days + 1, 0, 2 days
            )
        );
        pool.setCooldown(2 days + 1);
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("depositCap"), 0, 1, type(uint128).max
            )
        );
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 0, 0));
        pool.setRateModel(IPoolTypes.RateModel(300, 1_000, 9_500, 15_000));
        assertEq(pool.rateModel().kinkBps, 9_500, "kink at its maximum");
        pool.setMaxUtilization(1_000);
        assertEq(pool.maxUtilizationBps(), 1_000, "utilization at its minimum");
    }

    /// @notice Each asset parameter out of its bounds reverts ParamOutOfBounds with its name, value and bounds (the
    /// maximum weight is bounded below by the target weight).
    function test_setAssetParams__outOfBounds__revertsWithTheName() public {
        _expectBounds("targetWeightBps", 10_001, 0, 10_000);
        pool.setAssetParams(address(usdc), _params(10_001, 10_001, 0, 0, CAP));
        _expectBounds("maxWeightBps", 4_000, 5_000, 10_000);
        pool.setAssetParams(address(usdc), _params(5_000, 4_000, 0, 0, CAP));
        _expectBounds("baseFeeBps", 101, 0, 100);
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 101, 0, CAP));
        _expectBounds("taxFeeBps", 201, 0, 200);
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 201, CAP));
        pool.setAssetParams(address(usdc), _params(5_000, 5_000, 100, 200, 1));
        assertEq(pool.assetParams(address(usdc)).taxFeeBps, 200, "the bounds are accepted");
    }

    /// @notice The rate model's base rate and the maximum utilization have upper bounds too.
    function test_setters__aboveTheMaximum__reverts() public {
        _expectBounds("baseRateBps", 20_000, 0, 10_000);
        pool.setRateModel(IPoolTypes.RateModel(20_000, 0, 5_000, 0));
        _expectBounds("maxUtilizationBps", 10_001, 1_000, 10_000);
        pool.setMaxUtilization(10_001);
        _expectBounds("cooldown", 3 days, 0, 2 days);
        pool.setCooldown(3 days);
    }

    /// @notice The risk setters are the risk manager's and pausing is the guardian's: anyone else reverts
    /// AccessControlUnauthorizedAccount with the role; each change is announced.
    function test_setters__roles__gatedAndAnnounced() public {
        vm.expectRevert(
            abi.encodeWithSignature(
                "AccessControlUnauthorizedAccount(address,bytes32)", OTHER, keccak256("RISK_MANAGER_ROLE")
            )
        );
        vm.prank(OTHER);
        pool.setCooldown(0);
        vm.expectRevert(
            abi.encodeWithSignature(
                "AccessControlUnauthorizedAccount(address,bytes32)", OTHER, keccak256("GUARDIAN_ROLE")
            )
        );
        vm.prank(OTHER);
        pool.setDepositsPaused(true);
        vm.expectEmit(false, false, false, true, address(pool));
        emit IPoolTypes.CooldownSet(60);
        pool.setCooldown(60);
        assertEq(pool.cooldown(), 60, "cooldown");
        vm.expectEmit(false, false, false, true, address(pool));
        emit IPoolTypes.MaxUtilizationSet(5_000);
        pool.setMaxUtilization(5_000);
        assertEq(pool.maxUtilizationBps(), 5_000, "maximum utilization");
        vm.expectEmit(true, false, false, true, address(pool));
        emit IPoolTypes.DepositsPausedSet(true, address(this));
        pool.setDepositsPaused(true);
    }

    function _expectBounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal {
        vm.expectRevert(
            abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max)
        );
    }
}
