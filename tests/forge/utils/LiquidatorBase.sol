// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title LiquidatorBase
/// @notice The bench core for the Liquidator's branches one at a time, each with the amounts it must move: the
/// batch, the penalty and the keeper's reward, and the decision to absorb after a close.
///
/// The book used throughout: 10 WETH of collateral (maintenance haircut 10 %) and a 30 WETH long opened at 3,000
/// (a 90 USDC fee becomes debt). At a WETH price P its maintenance equity is 0.9 * 10 P - 30 (3,000 - P) - 90 =
/// 39 P - 90,090 USD, against a maintenance margin of 5 % of 30 P = 1.5 P: liquidatable below about 2,382, critical
/// (equity under half the margin, so closed in full) below about 2,355 and insolvent below 2,310.
abstract contract LiquidatorBase is EngineFixture {
    bytes32 internal constant CASH_CHANGED = keccak256("CashChanged(address,int256,uint256,uint256,bytes32)");

    bytes32 internal constant POSITION_MODIFIED =
        keccak256("PositionModified(address,uint256,int256,int256,uint256,int256,uint256)");

    bytes32 internal constant COVERED = keccak256("Covered(uint256,uint256,uint256)");

    bytes32 internal constant REPAID = keccak256("Repaid(address,uint256,uint256)");

    bytes32 internal constant SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");

    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");

    bytes32 internal constant ABSORBED = keccak256("Absorbed(address,uint256,uint256,uint256,uint256)");

    bytes32 internal constant COLLATERAL_SEIZED = keccak256("CollateralSeized(address,address,uint256,address)");

    /// @dev `account` liquidated by KEEPER; the logs of that call.
    function _liquidateRecording(address account) internal returns (Vm.Log[] memory) {
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(account);
        return vm.getRecordedLogs();
    }

    function _assertNoLog(Vm.Log[] memory logs, bytes32 topic, string memory message) internal pure {
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != topic, message);
        }
    }

    function setUp() public {
        _deploySeededBenchCore();
        _nextBlock();
        _openBenchLong(TRADER);
    }

    /// @dev The debt of the `Absorbed` event and the penalty and reward of the `Liquidated` event in `logs`.
    function _absorbedDebtAndPenalty(Vm.Log[] memory logs)
        internal
        pure
        returns (uint256 debt, uint256 penalty, uint256 reward)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ABSORBED) {
                (debt,,,) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
            if (logs[i].topics[0] == LIQUIDATED) {
                (,, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
        }
    }

    /// @dev OTHER: 6,500 USDC of cash (and `dustWeth` wei of WETH), 10 WETH long at 3,000, a month of interest, WETH
    /// at 2,300: insolvent. With dust, the InsuranceFund is emptied first, so the whole debt is socialized.
    function _insolventCashAccount(uint256 dustWeth) internal {
        _deposit(OTHER, usdc, 6_500e6);
        if (dustWeth != 0) _deposit(OTHER, weth, dustWeth);
        _nextBlock();
        _open(OTHER, 0, 10e18);
        _nextBlock();
        vm.warp(vm.getBlockTimestamp() + 30 days); // interest: an index well above 1, so rounding shows
        _settleWethAt(2_300e18);
        assertTrue(engine.liquidationHealth(OTHER).maintenanceEquity < 0, "insolvent");
        if (dustWeth != 0) insurance.withdraw(TRADER, insurance.bookedBalance());
        vm.prank(KEEPER);
        liquidator.liquidate(OTHER);
        (, uint256 scaled,) = engine.cash(OTHER);
        assertEq(scaled, 0, "written off");
        (, uint256 traderScaled,) = engine.cash(TRADER);
        assertEq(pool.totalScaledDebt(), traderScaled, "the Pool keeps only the other account's debt");
    }

    /// @dev WETH settled at `wethWad`, then USDC's feed moved to `usdcWad` for one update: its median moves, its TWAP
    /// barely (12 s of a 600 s window), and its status stays Ok (2 % is within the 5 % deviation bound).
    function _splitUsdc(uint256 wethWad, uint256 usdcWad) internal returns (uint256 low, uint256 high) {
        _settleWethAt(wethWad);
        _setFeed(address(usdc), usdcWad);
        oracle.update(address(usdc));
        _nextBlock();
        IOracleAggregator.PriceData memory d = oracle.getPriceData(address(usdc));
        assertTrue(d.median != d.twap, "USDC's median and TWAP differ");
        (low, high) = d.median < d.twap ? (d.median, d.twap) : (d.twap, d.median);
    }

    /// @dev WETH wei the engine takes for `units` of USDC: the units valued at the lower USDC price `usdcLow` (rounded
    /// down), then converted at the upper WETH price `wethPrice` (rounded up).
    function _wethFor(uint256 units, uint256 usdcLow, uint256 wethPrice) internal pure returns (uint256) {
        uint256 usd = units * usdcLow / 1e6;
        return (usd * 1e18 + wethPrice - 1) / wethPrice;
    }

    /// @dev Liquidate TRADER as KEEPER; the penalty (USDC units) its `Liquidated` event reports, checked against what
    /// moved: the account has no credit, so the keeper's reward is paid in WETH (converted at the lower USDC price and
    /// the upper WETH price) and the fund's share is owed to the Pool as the account's debt (in the "liquidation" cash change).
    function _liquidatePenalty() internal returns (uint256 penalty) {
        IOracleAggregator.PriceData memory u = oracle.getPriceData(address(usdc));
        uint256 usdcLow = u.median < u.twap ? u.median : u.twap;
        (, uint256 wethHigh) = oracle.priceBounds(address(weth), IOracleAggregator.Action.Liquidate);
        uint256 reserve = pool.reserves(address(weth));
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        uint256 reward;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == LIQUIDATED) {
                (,, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
        }
        assertEq(_keeperHolds(weth), _wethFor(reward, usdcLow, wethHigh), "the keeper's reward in WETH");
        assertEq(pool.reserves(address(weth)), reserve, "no collateral to the Pool");
        assertEq(_penaltyDebt(logs), penalty - reward, "the fund's share owed to the Pool");
    }

    /// @dev The settlement units the fund's share added to the liquidated account's cash owed, in `logs`: the
    /// liquidation books its close's losses and that share with the Pool in one "liquidation" cash change, so the share
    /// is that change less the close's losses (each `PositionModified`'s realized loss in units, rounded up at the
    /// lower USDC price the liquidation read). Checks that there is exactly one such cash change.
    function _penaltyDebt(Vm.Log[] memory logs) internal view returns (uint256 units) {
        (uint256 usdcLow,) = oracle.priceBounds(address(usdc), IOracleAggregator.Action.Liquidate);
        uint256 bookings;
        uint256 losses;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == CASH_CHANGED) {
                (int256 delta,,, bytes32 reason) = abi.decode(logs[i].data, (int256, uint256, uint256, bytes32));
                assertTrue(reason != "pnl" && reason != "penalty", "no separate pnl or penalty booking");
                if (reason != "liquidation") continue;
                units += uint256(-delta);
                ++bookings;
            } else if (logs[i].topics[0] == POSITION_MODIFIED) {
                (,,, int256 realized,) = abi.decode(logs[i].data, (int256, int256, uint256, int256, uint256));
                if (realized < 0) losses += (uint256(-realized) * 1e6 + usdcLow - 1) / usdcLow;
            }
        }
        assertEq(bookings, 1, "one cash change books the liquidation with the Pool");
        units -= losses;
    }

    /// @dev The collateral amount `logs` show seized from an account into `to`'s account (`CollateralSeized`).
    function _seizedTo(Vm.Log[] memory logs, address to) internal pure returns (uint256 amount) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != COLLATERAL_SEIZED) continue;
            (uint256 seized, address receiver) = abi.decode(logs[i].data, (uint256, address));
            if (receiver == to) amount += seized;
        }
    }

    /// @dev A partial liquidation at 2,400 (15 WETH closed, 36,000 USD): the 360 USD penalty in USDC, rounded up at
    /// the lower of USDC's median and TWAP (the account pays the most units).
    function _checkUncappedPenalty(uint256 usdcWad) internal {
        (uint256 low,) = _splitUsdc(2_400e18, usdcWad);
        uint256 expected = (360e18 * 1e6 + low - 1) / low;
        assertEq(_liquidatePenalty(), expected, "penalty = ceil(360 USD / lower USDC price)");
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
    }

    /// @dev A critical but barely solvent account: closed in full, and the penalty capped at what it is still worth,
    /// its maintenance equity converted at the higher USDC price (the fewest units), less 2 units of rounding; the
    /// account is left at or above zero.
    function _checkCappedPenalty(uint256 wethWad, uint256 usdcWad) internal {
        (, uint256 high) = _splitUsdc(wethWad, usdcWad);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity > 0 && h.maintenanceEquity < int256(h.maintenanceMargin / 2), "critical");
        // A full close at the prices of the health read leaves the maintenance equity as it was.
        uint256 expected = uint256(h.maintenanceEquity) * 1e6 / high - 2;
        assertTrue(expected * 100 < 30 * wethWad / 1e12, "the cap binds: below 1 % of the notional");
        // The close leaves the equity as the health read computed it, to a unit of rounding.
        assertApproxEqAbs(_liquidatePenalty(), expected, 1, "penalty = floor(equity / higher USDC price) - 2");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed in full");
        assertTrue(engine.liquidationHealth(TRADER).maintenanceEquity >= 0, "not pushed below zero");
    }

    function _params(uint16 closeFactor, uint16 critical, uint16 penalty, uint16 keeperShare)
        internal
        pure
        returns (ILiquidator.Params memory)
    {
        return ILiquidator.Params(closeFactor, critical, penalty, penalty, keeperShare, 1e6, 50e18);
    }

    function _expectOutOfBounds(ILiquidator.Params memory p, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.expectRevert(
            abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max)
        );
        liquidator.setParams(p);
    }
}
