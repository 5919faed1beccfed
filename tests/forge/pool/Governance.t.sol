// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
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
        pool.setRateModel(IPool.RateModel(200, 1_000, 499, 15_000));
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("kinkBps"), 9_501, 500, 9_500
            )
        );
        pool.setRateModel(IPool.RateModel(200, 1_000, 9_501, 15_000));
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
        pool.setRateModel(IPool.RateModel(300, 1_000, 9_500, 15_000));
        assertEq(pool.rateModel().kinkBps, 9_500, "kink at its maximum");
        pool.setMaxUtilization(1_000);
        assertEq(pool.maxUtilizationBps(), 1_000, "utilization at its minimum");
    }
}
