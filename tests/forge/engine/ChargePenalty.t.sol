// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {PriceRange} from "../../../contracts/libraries/PriceRange.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineChargePenaltyTest
/// @notice `MarginEngine.chargePenalty` (Liquidator only): the penalty split (fixture: MarginEngineBase).
contract MarginEngineChargePenaltyTest is MarginEngineBase {
    /// @notice The penalty comes out of cash once and is paid to the keeper and the InsuranceFund; a zero part makes no
    /// payment.
    function test_chargePenalty__split__paysBoth() public {
        _deposit(TRADER, usdc, 1_000e6);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 10e6, 20e6, usdcRange);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), address(engine)), 0, "no self-transfer");
        assertEq(usdc.balanceOf(KEEPER), 10e6, "keeper");
        assertEq(insurance.bookedBalance(), 20e6, "fund");
        assertEq(_credit(TRADER), 970e6, "credit");
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 0, 5e6, usdcRange);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), KEEPER), 0, "no zero transfer to the keeper");
        assertEq(insurance.bookedBalance(), 25e6, "fund again");
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 5e6, 0, usdcRange);
        assertEq(usdc.balanceOf(KEEPER), 15e6, "keeper again");
        assertEq(insurance.bookedBalance(), 25e6, "fund unchanged");
        assertEq(_credit(TRADER), 960e6, "credit after");
    }
}
