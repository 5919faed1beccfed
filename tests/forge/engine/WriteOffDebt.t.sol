// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineWriteOffDebtTest
/// @notice `MarginEngine.writeOffDebt` (Liquidator only) (fixture: MarginEngineBase).
contract MarginEngineWriteOffDebtTest is MarginEngineBase {
    /// @notice Only the Liquidator may call its entry points; it writes off an account's debt.
    function test_writeOffDebt__liquidatorOnly__zeroesDebt() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18);
        (, uint256 scaled,) = engine.cash(TRADER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        vm.prank(OTHER);
        engine.writeOffDebt(TRADER);
        vm.prank(address(liquidator));
        assertEq(engine.writeOffDebt(TRADER), scaled, "returns the scaled debt");
        (, uint256 after_,) = engine.cash(TRADER);
        assertEq(after_, 0, "written off");
    }
}
