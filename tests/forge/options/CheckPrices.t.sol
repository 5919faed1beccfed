// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsCheckPricesTest
/// @notice `OptionsBook.checkPrices`: reverts unless every price the account's live positions rest on may be used
/// for the action; the engine asks it before any new risk of the account (fixture: OptionsBase).
contract OptionsCheckPricesTest is OptionsBase {
    function setUp() public override {
        super.setUp();
        _depositUsdc(TRADER, 10_000e6);
    }

    /// @notice An account with nothing in the book passes whatever the prices.
    function test_checkPrices__empty__passes() public {
        _makeStale();
        book.checkPrices(TRADER, IOracleAggregator.Action.AddRisk);
        assertEq(book.accountSeries(TRADER).length, 0, "nothing held");
    }

    /// @notice Holding a WETH series: Stale reverts PriceUnavailable(WETH, action, Stale) for AddRisk and Liquidate.
    function test_checkPrices__stale__reverts() public {
        _trade(TRADER, callId, 1e18);
        book.checkPrices(TRADER, IOracleAggregator.Action.AddRisk);
        _makeStale();
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Stale);
        book.checkPrices(TRADER, IOracleAggregator.Action.AddRisk);
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.Liquidate, IOracleAggregator.Status.Stale);
        book.checkPrices(TRADER, IOracleAggregator.Action.Liquidate);
    }

    /// @notice Deviated WETH (the median 10 % off the TWAP): not usable for new risk, usable for a liquidation; the
    /// engine refuses the account's new perp risk with the book's revert.
    function test_checkPrices__deviated__refusesNewRiskOnly() public {
        _trade(TRADER, putId, 1e18);
        _nextBlock();
        _moveWethOnce(3_300e18);
        assertEq(uint256(oracle.status(address(weth))), uint256(IOracleAggregator.Status.Deviated), "Deviated");
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated);
        book.checkPrices(TRADER, IOracleAggregator.Action.AddRisk);
        book.checkPrices(TRADER, IOracleAggregator.Action.Liquidate);
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated);
        _open(TRADER, 1, 1e16);
    }

    /// @notice A settled series rests on no price: an account holding only settled positions passes though Stale.
    function test_checkPrices__settledOnly__passes() public {
        _trade(TRADER, callId, 1e18);
        _expireAndSettle(callId, 3_300e18);
        _makeStale();
        book.checkPrices(TRADER, IOracleAggregator.Action.AddRisk);
        assertEq(book.positionOf(TRADER, callId), 1e18, "still held, settled");
    }
}
