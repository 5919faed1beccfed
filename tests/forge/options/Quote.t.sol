// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsQuoteTest
/// @notice `OptionsBook.quote`: the cash a trade would move now, at the Black-Scholes bound worse for the trader and
/// the spread at the open interest after it (fixture: OptionsBase, WETH at 3,000).
contract OptionsQuoteTest is OptionsBase {
    /// @notice On an empty series a buy of 10 costs the upper bound plus 70 bps (50 + 200 x 10/100), a sale of 10
    /// gets the lower bound less 70 bps; the ask exceeds the bid.
    function test_quote__emptySeries__boundsAndSpread() public view {
        (int256 ask, uint256 askSpread) = book.quote(putId, 10e18);
        (int256 bid, uint256 bidSpread) = book.quote(putId, -10e18);
        assertEq(askSpread, 70, "ask spread");
        assertEq(bidSpread, 70, "bid spread");
        assertEq(ask, -int256(_ask(false, 3_000e18, 10e18, 3_000e18, 70)), "ask");
        assertEq(bid, int256(_bid(false, 3_000e18, 10e18, 3_000e18, 70)), "bid");
        assertGt(uint256(-ask), uint256(bid), "ask above bid");
    }

    /// @notice The spread follows the Pool's net exposure on the side traded: with 50 long open, buying 1 more sees
    /// 50 + ceil(200 x 51/100) = 152 bps, selling 1 the base 50 (it reduces the Pool's exposure); capped at 500 bps.
    function test_quote__netExposure__widensTheSpreadOnItsSide() public {
        _depositUsdc(TRADER, 100_000e6);
        _trade(TRADER, otmCallId, 50e18);
        (, uint256 buySpread) = book.quote(otmCallId, 1e18);
        (, uint256 sellSpread) = book.quote(otmCallId, -1e18);
        assertEq(buySpread, 152, "buying adds to the net");
        assertEq(sellSpread, 50, "selling reduces it");
        IOptionsBookTypes.RiskParams memory p = _params();
        p.slopeBps = 2_000;
        book.setRiskParams(p);
        (, uint256 capped) = book.quote(otmCallId, 50e18);
        assertEq(capped, MAX_SPREAD_BPS, "capped");
    }

    /// @notice A quote is what the trade books for an account that holds nothing in the series.
    function test_quote__equalsTheTrade() public {
        _depositUsdc(TRADER, 100_000e6);
        (int256 quoted, uint256 spread) = book.quote(callId, 3e18);
        (int256 cash, uint256 traded) = _tradeLimit(TRADER, callId, 3e18, quoted);
        assertEq(cash, quoted, "cash");
        assertEq(traded, spread, "spread");
    }

    /// @notice Beyond the cap reverts OpenSizeExceeded; an unknown series SeriesNotFound; after the window opens
    /// TradingClosed.
    function test_quote__invalid__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.OpenSizeExceeded.selector, callId, MAX_OPEN + 1, MAX_OPEN)
        );
        book.quote(callId, int256(uint256(MAX_OPEN)) + 1);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesNotFound.selector, 0));
        book.quote(0, 1e18);
        vm.warp(expiry - SETTLEMENT_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionsBookTypes.TradingClosed.selector,
                callId,
                expiry - SETTLEMENT_WINDOW,
                expiry,
                expiry - SETTLEMENT_WINDOW
            )
        );
        book.quote(callId, 1e18);
    }
}
