// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title OptionsLiquidationTest
/// @notice `OptionsBook.closeForLiquidation` through one `Liquidator.liquidate`: an account with USDC collateral, a
/// perp and a short call is closed in both by the same liquidation, the options' penalty base joining the perp's
/// notional (fixture: OptionsBase; liquidator: close factor 50 %, critical health 50 %, a 1 % penalty).
contract OptionsLiquidationTest is OptionsBase {
    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant PRODUCT_LIQUIDATED = keccak256("ProductLiquidated(address,uint256,uint256,int256,bool)");
    bytes32 internal constant POSITION_LIQUIDATED = keccak256("PositionLiquidated(uint256,address,int256,int256)");

    /// @dev TRADER: 6,000 USDC, short 2 WETH on market 0 and short 5 calls struck at 3,000; then WETH spikes to
    /// `price` (settled, median = TWAP).
    function _spike(uint256 price) internal {
        _depositUsdc(TRADER, 6_000e6);
        _open(TRADER, 0, -2e18);
        _trade(TRADER, callId, -5e18);
        assertTrue(!engine.liquidationHealth(TRADER).liquidatable, "healthy at 3,000");
        _moveWeth(price);
    }

    /// @notice WETH 3,000 -> 3,700: the account is liquidatable above the critical health, so one liquidation closes
    /// half of the perp (1 WETH) and half of the short calls (2.5), emits PositionLiquidated (book) and
    /// ProductLiquidated (engine) with the same cash, and charges 1 % of the notional closed (the perp's plus the
    /// options' base), in USDC rounded up, from the account's credit.
    function test_liquidate__perpAndShortCall__oneCallClosesBoth() public {
        _spike(3_700e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.liquidatable, "liquidatable at 3,700");
        assertTrue(h.maintenanceEquity > int256(h.maintenanceMargin / 2), "above the critical health: close factor");
        uint256 insuranceBefore = usdc.balanceOf(address(insurance));

        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(engine.position(TRADER, 0).size, -1e18, "half the perp closed");
        assertEq(book.positionOf(TRADER, callId), -2.5e18, "half the short calls closed");
        assertEq(uint256(book.series(callId).shortOpen), 2.5e18, "the series' short open interest");

        (int256 bookCash, int256 bookClosed, uint256 bookEvents) = _positionLiquidated(logs);
        assertEq(bookEvents, 1, "one PositionLiquidated");
        assertEq(bookClosed, -2.5e18, "closed -2.5 (signed as the position)");
        assertTrue(bookCash < 0, "closing a losing short costs the account");
        (uint256 productClosedUsd, int256 productCash) = _productLiquidated(logs);
        assertEq(productCash, bookCash, "the engine booked the book's cash");
        (uint256 fraction, uint256 closedNotional, uint256 penalty) = _liquidated(logs);
        assertEq(fraction, 5_000, "close factor");
        assertEq(closedNotional, 3_700e18 + productClosedUsd, "1 WETH at 3,700 plus the options' base");
        assertGt(productClosedUsd, uint256(-bookCash), "the base: the value closed plus the margin released");
        assertEq(penalty, _ceilDiv(closedNotional / 100, UNIT), "1 % of it, USDC up");
        assertGt(penalty, 0, "a penalty");
        assertEq(
            _keeperHolds(usdc) + usdc.balanceOf(address(insurance)) - insuranceBefore,
            penalty,
            "charged in full: the keeper's reward and the fund's share"
        );
        assertEq(engine.accountProducts(TRADER), 1, "still holds options");
    }

    /// @notice REVIEW: a short perp's loss (market 0, booked at the end) and a long call's profit (the margin product,
    /// paid during the close) in one liquidation book as sequential booking (6f1fcbf) did, within merged rounding.
    function test_review_liquidate__perpLossAndCallProfit__booksAsSequential() public {
        _depositUsdc(TRADER, 6_000e6);
        _open(TRADER, 0, -6e18);
        _trade(TRADER, callId, 1e18);
        _moveWeth(4_000e18);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "fixture: liquidatable");
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (, int256 productCash) = _productLiquidated(logs);
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        (,, uint256 penalty) = _liquidated(logs);
        uint256[8] memory b = [
            credit,
            scaled,
            pool.reserves(address(usdc)),
            pool.totalScaledDebt(),
            insurance.bookedBalance(),
            _keeperHolds(usdc),
            penalty,
            uint256(productCash)
        ];
        uint256[8] memory old =
            [uint256(3224049602), 0, 1002647347589, 0, 90101967, 38500842, 125002809, 500280860728619979214];
        for (uint256 i = 0; i < 8; ++i) {
            assertEq(b[i], old[i], "credit, debt, Pool USDC and debt, fund, keeper, penalty, product cash");
        }
    }

    /// @notice WETH 3,000 -> 4,000: below the critical health everything closes in one liquidation: the perp, the
    /// calls, the account's series and its product mask.
    function test_liquidate__belowCritical__closesEverything() public {
        _spike(4_000e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity < int256(h.maintenanceMargin / 2), "below the critical health");
        vm.expectEmit(true, true, false, false, address(book));
        emit IOptionsBookTypes.PositionLiquidated(callId, TRADER, -5e18, 0);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(engine.position(TRADER, 0).size, 0, "perp closed");
        assertEq(book.positionOf(TRADER, callId), 0, "calls closed");
        assertEq(book.accountSeries(TRADER).length, 0, "no series");
        assertEq(engine.accountProducts(TRADER), 0, "mask cleared");
        assertEq(uint256(book.series(callId).shortOpen), 0, "no short open");
    }

    /// @notice A healthy account holding options is not liquidatable: NotLiquidatable(account, equity, margin).
    function test_liquidate__healthy__reverts() public {
        _depositUsdc(TRADER, 6_000e6);
        _trade(TRADER, callId, -1e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidator.NotLiquidatable.selector, TRADER, h.maintenanceEquity, h.maintenanceMargin
            )
        );
        liquidator.liquidate(TRADER);
    }

    /// @notice A liquidation closes an expired series whose settlement TWAP was recorded at that TWAP, whatever the
    /// spot: TRADER (2,000 USDC) short 1 call struck at 3,000, WETH at 5,000 through the settlement window, then back
    /// at 3,000 before anyone settles. The call owes its 2,000 payoff (maintenance margin 5,000 x 0.2 / 2 = 500), so
    /// the account is below the critical health and one liquidation closes it all at -2,000 USD (at the spot it was
    /// worth 0 and the account looked healthy); settling after books nothing more.
    function test_liquidate__expiredRecorded__closesAtTheSettlementTwap() public {
        _depositUsdc(TRADER, 2_000e6);
        _trade(TRADER, callId, -1e18);
        _expireAt(5_000e18);
        _moveWeth(3_000e18);
        (uint256 twap, bool complete, uint32 observed) =
            oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertTrue(complete && observed == SETTLEMENT_WINDOW && twap == 5_000e18, "fixture: recorded at 5,000");
        assertEq(oracle.getPriceData(address(weth)).median, 3_000e18, "fixture: the spot back at 3,000");

        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceMargin, 500e18, "half the margin-scenario loss at 5,000");
        assertTrue(h.maintenanceEquity < int256(h.maintenanceMargin / 2), "below the critical health");
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.PositionLiquidated(callId, TRADER, -1e18, -2_000e18);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(book.positionOf(TRADER, callId), 0, "closed");
        assertEq(uint256(book.series(callId).shortOpen), 0, "no short open");
        assertEq(book.settle(callId), 5_000e18, "settles at the TWAP it was closed at");
        assertEq(book.settledShortUsd(), 0, "nothing left to owe");
    }

    function _positionLiquidated(Vm.Log[] memory logs)
        internal
        view
        returns (int256 cash, int256 closed, uint256 count)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(book) && logs[i].topics[0] == POSITION_LIQUIDATED) {
                (int256 c, int256 value) = abi.decode(logs[i].data, (int256, int256));
                (closed, cash, count) = (closed + c, cash + value, count + 1);
            }
        }
    }

    function _productLiquidated(Vm.Log[] memory logs) internal view returns (uint256 closedUsd, int256 cash) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == PRODUCT_LIQUIDATED) {
                (closedUsd, cash,) = abi.decode(logs[i].data, (uint256, int256, bool));
            }
        }
    }

    function _liquidated(Vm.Log[] memory logs)
        internal
        view
        returns (uint256 fraction, uint256 closed, uint256 penalty)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(liquidator) && logs[i].topics[0] == LIQUIDATED) {
                (fraction, closed, penalty,) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
        }
    }
}
