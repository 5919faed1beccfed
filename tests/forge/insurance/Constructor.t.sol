// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {Vm} from "../utils/Vm.sol";

/// @title InsuranceFundConstructorFlowTest
/// @notice the InsuranceFund's constructor (fixture: CoreFlowBase).
contract InsuranceFundConstructorFlowTest is CoreFlowBase {
    /// @notice The InsuranceFund refuses a zero asset, pool or liquidator at construction.
    function test_constructor__zeroWiring__reverts() public {
        address me = address(this);
        address liq = address(liquidator);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(0), pool, liq, me, me, 1);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(usdc), IPool(address(0)), liq, me, me, 1);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(usdc), pool, address(0), me, me, 1);
    }
}
