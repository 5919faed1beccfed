// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsExecuteTest
/// @notice `OptionsBook.execute` through `MarginEngine.tradeProduct`: a buyer pays the quote from its cash to the
/// Pool, a seller receives it and is margined; limits, caps, the account's series cap and the trading window (fixture:
/// OptionsBase: WETH at 3,000, median = TWAP, so both ends of every range are 3,000).
contract OptionsExecuteTest is OptionsBase {
    /// @notice Buying 1 call struck at 3,000 pays the quote, the Black-Scholes upper bound at 3,000 plus a spread of
    /// 52 bps (50 + 200 x 1/100, up): the premium leaves the account's credit (USDC rounded up) for the Pool, the
    /// position, the open interest and the account's series are booked, and the trade is announced by book and engine.
    function test_execute__buy__paysTheQuote() public {
        _depositUsdc(TRADER, 10_000e6);
        (int256 quoted, uint256 quotedSpread) = book.quote(callId, 1e18);
        assertEq(quotedSpread, 52, "spread at 1 of 100 open");
        int256 expected = -int256(_ask(true, 3_000e18, 1e18, 3_000e18, 52));
        assertEq(quoted, expected, "the quote: BS upper bound plus spread, up");
        uint256 reserve = pool.reserves(address(usdc));

        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.OptionTraded(callId, TRADER, 1e18, 1e18, expected, 52);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, PRODUCT, expected, true, true);
        (int256 cash, uint256 spread) = _tradeLimit(TRADER, callId, 1e18, expected);

        assertEq(cash, expected, "result: the cash");
        assertEq(spread, 52, "result: the spread");
        uint256 paid = _ceilDiv(uint256(-expected), UNIT);
        assertEq(_credit(TRADER), 10_000e6 - paid, "premium paid from credit, USDC rounded up");
        assertEq(pool.reserves(address(usdc)), reserve + paid, "to the Pool");
        assertEq(book.positionOf(TRADER, callId), 1e18, "long 1");
        assertEq(uint256(book.series(callId).longOpen), 1e18, "long open");
        uint256[] memory held = book.accountSeries(TRADER);
        assertEq(held.length, 1, "one series held");
        assertEq(held[0], callId, "the call");
        assertEq(engine.accountProducts(TRADER), 1, "product 0 in the account's mask");
    }

    /// @notice Writing 1 put struck at 3,000 receives the quote, the Black-Scholes lower bound less 52 bps (down), as
    /// credit paid by the Pool (USDC rounded down); the account is short 1 and the series' short open interest 1.
    function test_execute__sell__receivesTheQuoteAndIsShort() public {
        _depositUsdc(TRADER, 10_000e6);
        (int256 quoted,) = book.quote(putId, -1e18);
        int256 expected = int256(_bid(false, 3_000e18, 1e18, 3_000e18, 52));
        assertEq(quoted, expected, "the quote: BS lower bound less spread, down");
        uint256 reserve = pool.reserves(address(usdc));

        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.OptionTraded(putId, TRADER, -1e18, -1e18, expected, 52);
        (int256 cash,) = _tradeLimit(TRADER, putId, -1e18, expected);

        assertEq(cash, expected, "received");
        uint256 received = uint256(expected) / UNIT;
        assertEq(_credit(TRADER), 10_000e6 + received, "proceeds into credit, USDC rounded down");
        assertEq(pool.reserves(address(usdc)), reserve - received, "paid by the Pool");
        assertEq(book.positionOf(TRADER, putId), -1e18, "short 1");
        assertEq(uint256(book.series(putId).shortOpen), 1e18, "short open");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertGt(h.initialMargin, 0, "the short is margined");
        assertEq(h.initialMargin, _risk(TRADER, false).initialMargin, "its margin is the book's");
    }

    /// @notice A short written with no collateral (only its own proceeds) is refused by the engine with
    /// InsufficientMargin and the account's figures (those of the same trade with 100,000 USDC more, less it); nothing
    /// is booked.
    function test_execute__unmarginedShort__revertsInsufficientMargin() public {
        uint256 snap = vm.snapshotState();
        _depositUsdc(TRADER, 100_000e6);
        _trade(TRADER, callId, -1e18);
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        vm.revertToState(snap);
        int256 extra = 100_000e18;
        assertTrue(h.initialEquity - extra < int256(h.initialMargin), "short of margin without the deposit");

        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarginEngineTypes.InsufficientMargin.selector,
                h.initialEquity - extra,
                h.initialMargin,
                h.stressEquity - extra
            )
        );
        engine.tradeProduct(PRODUCT, _action(callId, -1e18, 0));
        assertEq(book.positionOf(TRADER, callId), 0, "nothing booked");
        assertEq(engine.accountProducts(TRADER), 0, "nothing held");
    }

    /// @notice A premium above the buyer's limit, or proceeds below the seller's, revert LimitNotMet(cash, limit); at
    /// the limit the trade goes through.
    function test_execute__limitNotMet__reverts() public {
        _depositUsdc(TRADER, 10_000e6);
        (int256 buyCash,) = book.quote(callId, 1e18);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.LimitNotMet.selector, buyCash, buyCash + 1));
        engine.tradeProduct(PRODUCT, _action(callId, 1e18, buyCash + 1));
        (int256 sellCash,) = book.quote(putId, -1e18);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.LimitNotMet.selector, sellCash, sellCash + 1));
        engine.tradeProduct(PRODUCT, _action(putId, -1e18, sellCash + 1));
        (int256 cash,) = _tradeLimit(TRADER, putId, -1e18, sellCash);
        assertEq(cash, sellCash, "at the limit");
    }

    /// @notice Past the series' cap on either side reverts OpenSizeExceeded(id, open after, cap): one account beyond
    /// it, and a second account taking the total beyond it; up to it both sides trade.
    function test_execute__openSizeExceeded__bothSides() public {
        _depositUsdc(TRADER, 1_000_000e6);
        _depositUsdc(OTHER, 1_000_000e6);
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.OpenSizeExceeded.selector, otmCallId, MAX_OPEN + 1, MAX_OPEN)
        );
        engine.tradeProduct(PRODUCT, _action(otmCallId, int256(uint256(MAX_OPEN)) + 1, type(int256).min));
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.OpenSizeExceeded.selector, otmCallId, MAX_OPEN + 1, MAX_OPEN)
        );
        engine.tradeProduct(PRODUCT, _action(otmCallId, -int256(uint256(MAX_OPEN)) - 1, type(int256).min));

        _trade(TRADER, otmCallId, 60e18);
        _trade(OTHER, otmCallId, -10e18);
        vm.prank(OTHER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.OpenSizeExceeded.selector, otmCallId, 101e18, MAX_OPEN)
        );
        engine.tradeProduct(PRODUCT, _action(otmCallId, 51e18, type(int256).min));
        // OTHER buying 50 closes its short and goes 40 long: 100 long in all.
        _trade(OTHER, otmCallId, 50e18);
        assertEq(uint256(book.series(otmCallId).longOpen), MAX_OPEN, "long at the cap");
        assertEq(uint256(book.series(otmCallId).shortOpen), 0, "no short");
    }

    /// @notice An account holding MAX_ACCOUNT_SERIES (4) series cannot open a fifth: TooManyAccountSeries(account, 4);
    /// it still trades the series it holds, and once it closes one it can open another.
    function test_execute__fifthSeries__revertsTooManyAccountSeries() public {
        uint256 fourth = _list(2_800e18, false);
        uint256 fifth = _list(3_200e18, false);
        _depositUsdc(TRADER, 10_000e6);
        _trade(TRADER, callId, 1e17);
        _trade(TRADER, putId, 1e17);
        _trade(TRADER, otmCallId, 1e17);
        _trade(TRADER, fourth, 1e17);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.TooManyAccountSeries.selector, TRADER, 4));
        engine.tradeProduct(PRODUCT, _action(fifth, 1e17, type(int256).min));
        _trade(TRADER, callId, 1e17);
        _trade(TRADER, putId, -1e17);
        _trade(TRADER, fifth, 1e17);
        assertEq(book.accountSeries(TRADER).length, 4, "four held");
        assertEq(book.positionOf(TRADER, callId), 2e17, "added to a held series");
    }

    /// @notice From the opening of the settlement window (expiry - 300 s) the series no longer trades:
    /// TradingClosed(id, closesAt, expiry, now).
    function test_execute__settlementWindow__revertsTradingClosed() public {
        uint256 closesAt = expiry - SETTLEMENT_WINDOW;
        vm.warp(closesAt);
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.TradingClosed.selector, callId, closesAt, expiry, closesAt)
        );
        engine.tradeProduct(PRODUCT, _action(callId, 1e18, type(int256).min));
        vm.warp(expiry - 1);
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.TradingClosed.selector, callId, closesAt, expiry, expiry - 1)
        );
        engine.tradeProduct(PRODUCT, _action(callId, -1e18, 0));
    }

    /// @notice At and after expiry a trade reverts SeriesExpired(id, expiry, now).
    function test_execute__expired__revertsSeriesExpired() public {
        vm.warp(expiry);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesExpired.selector, putId, expiry, expiry));
        engine.tradeProduct(PRODUCT, _action(putId, 1e18, type(int256).min));
        vm.warp(expiry + 1 days);
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.SeriesExpired.selector, putId, expiry, expiry + 1 days)
        );
        engine.tradeProduct(PRODUCT, _action(putId, 1e18, type(int256).min));
    }

    /// @notice An action of 0 with nothing settled to realize reverts NothingToDo(account); an unknown series
    /// SeriesNotFound(id).
    function test_execute__nothingToDoOrUnknownSeries__reverts() public {
        _depositUsdc(TRADER, 10_000e6);
        _trade(TRADER, callId, 1e18);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.NothingToDo.selector, TRADER));
        engine.tradeProduct(PRODUCT, _action(callId, 0, 0));
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesNotFound.selector, 99));
        engine.tradeProduct(PRODUCT, _action(99, 1e18, type(int256).min));
    }

    /// @notice `execute` and `closeForLiquidation` called by anyone but the engine revert NotEngine(caller).
    function test_execute__notEngine__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.NotEngine.selector, address(this)));
        book.execute(TRADER, _action(callId, 1e18, type(int256).min));
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.NotEngine.selector, TRADER));
        book.closeForLiquidation(TRADER, BPS);
    }

    /// @notice Closing a long sells it back at the bid (a reduction): the account ends with nothing in the book and
    /// the product cleared from its mask, having lost the two spreads and the bounds' width.
    function test_execute__closeLong__clearsTheAccount() public {
        _depositUsdc(TRADER, 10_000e6);
        int256 paid = _trade(TRADER, callId, 2e18);
        (int256 quoted,) = book.quote(callId, -2e18);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, PRODUCT, quoted, false, false);
        int256 got = _trade(TRADER, callId, -2e18);
        assertEq(got, quoted, "sold at the quote");
        assertLt(uint256(got), uint256(-paid), "less than paid");
        assertEq(book.positionOf(TRADER, callId), 0, "flat");
        assertEq(book.accountSeries(TRADER).length, 0, "no series");
        assertEq(engine.accountProducts(TRADER), 0, "mask cleared");
    }
}
