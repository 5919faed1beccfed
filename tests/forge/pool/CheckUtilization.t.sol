// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolCheckUtilizationTest
/// @notice `Pool.checkUtilization`: reserved payouts and receivables against both utilization limits (fixture: StandalonePoolBase).
contract PoolCheckUtilizationTest is StandalonePoolBase {
    /// @notice checkUtilization with 4,000 USD of reserves: 3,700 reserved is 92.5 % > 90 % (UtilizationExceeded);
    /// 1,200 reserved is 30 % but above the 1,000 USDC (SettlementBackingShort); 1,000 reserved passes and sets the
    /// rate at 25 % utilization.
    function test_checkUtilization__reserved__checksBothLimits() public {
        _seedTwoAssets();
        stubReserved = 3_700e18;
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", 925e15, 9e17));
        pool.checkUtilization();
        stubReserved = 1_200e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 1_000e18, 1_200e18));
        pool.checkUtilization();
        stubReserved = 1_000e18;
        pool.checkUtilization();
        assertEq(pool.ratePerSecond(), (200e14 + 1_000 * 25e16 / 8_000) / uint256(365 days), "rate at 25 %");
    }
}
