// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolSocializeDeficitTest
/// @notice `Pool.socializeDeficit`: a deficit written off against LPs (fixture: StandalonePoolBase).
contract PoolSocializeDeficitTest is StandalonePoolBase {
    /// @notice A socialized deficit cancels scaled debt and returns its amount; more than the receivable reverts
    /// DebtUnderflow.
    function test_socializeDeficit__fromLiquidator__cancelsDebt() public {
        pool.receiveLoss(0, 50e6);
        vm.prank(LIQ);
        assertEq(pool.socializeDeficit(20e6), 20e6, "amount at index 1");
        assertEq(pool.totalScaledDebt(), 30e6, "receivable");
        vm.expectRevert(abi.encodeWithSignature("DebtUnderflow(uint256,uint256)", 31e6, 30e6));
        vm.prank(LIQ);
        pool.socializeDeficit(31e6);
    }
}
