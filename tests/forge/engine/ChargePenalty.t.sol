// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {PriceRange} from "../../../contracts/libraries/PriceRange.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineChargePenaltyTest
/// @notice `MarginEngine.chargePenalty` (Liquidator only): the penalty split (fixture: MarginEngineBase).
contract MarginEngineChargePenaltyTest is MarginEngineBase {
    using FixedPointMath for uint256;
    using PriceRange for PriceRange.Range;

    /// @notice The penalty comes out of cash once and is paid to the keeper and the InsuranceFund; a zero part makes no
    /// payment.
    function test_chargePenalty__split__paysBoth() public {
        _deposit(TRADER, usdc, 1_000e6);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 10e6, 20e6, usdcRange);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), address(engine)), 0, "no self-transfer");
        assertEq(_keeperHolds(usdc), 10e6, "keeper");
        assertEq(insurance.bookedBalance(), 20e6, "fund");
        assertEq(_credit(TRADER), 970e6, "credit");
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 0, 5e6, usdcRange);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), KEEPER), 0, "no zero transfer to the keeper");
        assertEq(insurance.bookedBalance(), 25e6, "fund again");
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 5e6, 0, usdcRange);
        assertEq(_keeperHolds(usdc), 15e6, "keeper again");
        assertEq(insurance.bookedBalance(), 25e6, "fund unchanged");
        assertEq(_credit(TRADER), 960e6, "credit after");
    }

    /// @notice Without credit the keeper's reward is paid in the account's collateral valued at its upper liquidation
    /// price, the fewer units: with WETH's median and TWAP apart, the keeper gets the reward's worth at the higher one.
    function test_chargePenalty__noCredit__keeperPaidInCollateralAtTheUpperPrice() public {
        _deposit(TRADER, weth, 10e18);
        (uint256 low, uint256 high,) = _jump(address(weth), 3_150e18);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        uint256 usd = usdcRange.usdDown(30e6, 6);
        vm.prank(address(liquidator));
        (uint256 rewardPaid,) = engine.chargePenalty(TRADER, KEEPER, 30e6, 0, usdcRange);
        assertEq(rewardPaid, 30e6, "paid in full");
        assertEq(_keeperHolds(weth), usd.toAmountUp(high, 18), "the reward's worth at the upper price");
        assertLt(_keeperHolds(weth), usd.toAmountUp(low, 18), "fewer units than at the lower price");
    }

    /// @notice A keeper's reward worth more than the account's collateral takes all of it and reports what it came to
    /// (its value at the upper price, in settlement units at the higher settlement price), not the reward asked.
    function test_chargePenalty__collateralShortOfTheReward__reportsWhatTheCollateralPaid() public {
        _deposit(TRADER, weth, 0.001e18);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        (, uint256 wethHigh) = PriceRange.ordered(_wethMedian(), _wethTwap());
        vm.prank(address(liquidator));
        (uint256 rewardPaid,) = engine.chargePenalty(TRADER, KEEPER, 30e6, 0, usdcRange);
        assertEq(_keeperHolds(weth), 0.001e18, "all of the collateral");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 0, "none left");
        uint256 expected = usdcRange.unitsDown(uint256(0.001e18).toValueDown(wethHigh, 18), 6);
        assertEq(rewardPaid, expected, "what the collateral came to");
        assertLt(rewardPaid, 30e6, "less than the reward asked");
    }

    function _wethMedian() private view returns (uint256 median) {
        (median,,,) = _priceData(address(weth));
    }

    function _wethTwap() private view returns (uint256 twap) {
        (, twap,,) = _priceData(address(weth));
    }
}
