// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolAccessTest
/// @notice the Pool's engine-only and liquidator-only entry points refuse anyone else (fixture: StandalonePoolBase).
contract PoolAccessTest is StandalonePoolBase {
    /// @notice Engine-only and liquidator-only entry points refuse anyone else with Unauthorized(caller).
    function test_protocolEntryPoints__stranger__revertUnauthorized() public {
        vm.startPrank(OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.lend(1, OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.receiveLoss(0, 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.repay(0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.absorb(address(weth), 0, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfitInKind(address(weth), 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.socializeDeficit(0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.receiveInsuranceExcess(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.checkUtilization();
        vm.stopPrank();
        assertEq(pool.totalScaledDebt(), 0, "nothing booked");
    }
}
