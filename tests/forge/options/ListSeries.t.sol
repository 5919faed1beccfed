// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsListSeriesTest
/// @notice `OptionsBook.listSeries`: the risk manager lists a series within the tenor, strike band and oracle limits
/// (fixture: OptionsBase: three series listed, WETH at 3,000, the oracle's TWAP window 600 s, settlement window 300 s).
contract OptionsListSeriesTest is OptionsBase {
    /// @notice A valid series gets the next id, is stored as given with nothing open, joins the live set and is
    /// announced.
    function test_listSeries__valid__storedLiveAndAnnounced() public {
        uint256 exp = vm.getBlockTimestamp() + 30 days;
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.SeriesListed(4, address(weth), 2_800e18, exp, false, 5e18);
        uint256 id = book.listSeries(address(weth), 2_800e18, exp, false, 5e18);
        assertEq(id, 4, "the fourth series");
        assertEq(book.seriesCount(), 4, "count");
        IOptionsBookTypes.Series memory s = book.series(id);
        assertEq(s.asset, address(weth), "asset");
        assertEq(s.strike, 2_800e18, "strike");
        assertEq(uint256(s.expiry), exp, "expiry");
        assertTrue(!s.isCall && !s.settled, "an unsettled put");
        assertEq(uint256(s.maxOpenSize), 5e18, "cap");
        assertEq(uint256(s.longOpen) + s.shortOpen + s.settlementPrice, 0, "nothing open");
        uint256[] memory live = book.liveSeries();
        assertEq(live.length, 4, "live");
        assertEq(live[3], id, "appended");
    }

    /// @notice Anyone but the risk manager reverts AccessControlUnauthorizedAccount.
    function test_listSeries__notRiskManager__reverts() public {
        _expectRoleRevert(OTHER, book.RISK_MANAGER_ROLE());
        vm.prank(OTHER);
        book.listSeries(address(weth), 3_000e18, expiry + 1, true, MAX_OPEN);
    }

    /// @notice A zero maximum open size reverts ZeroAmount.
    function test_listSeries__zeroMaxOpenSize__revertsZeroAmount() public {
        vm.expectRevert(abi.encodeWithSelector(IErrors.ZeroAmount.selector));
        book.listSeries(address(weth), 3_000e18, expiry + 1, true, 0);
    }

    /// @notice An asset with no implied volatility set reverts VolNotSet(asset).
    function test_listSeries__volNotSet__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.VolNotSet.selector, address(wbtc)));
        book.listSeries(address(wbtc), 60_000e18, expiry, true, MAX_OPEN);
    }

    /// @notice With MAX_LIVE_SERIES (8) live, a ninth reverts TooManyLiveSeries(8); settling one frees a slot.
    function test_listSeries__tooManyLive__revertsUntilOneSettles() public {
        for (uint256 i = 0; i < 5; ++i) {
            _list(2_000e18 + i * 100e18, true);
        }
        assertEq(book.liveSeries().length, 8, "eight live");
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.TooManyLiveSeries.selector, 8));
        _list(2_500e18, true);
        _expireAndSettle(callId, 3_000e18);
        expiry = vm.getBlockTimestamp() + TENOR;
        assertEq(_list(2_500e18, true), 9, "listed once a series settled");
    }

    /// @notice The expiry lies in [now + settlementWindow + MIN_TENOR, now + MAX_TENOR]: both ends list, one second
    /// outside reverts ExpiryOutOfRange(expiry, min, max).
    function test_listSeries__expiryOutOfRange__reverts() public {
        uint256 min = vm.getBlockTimestamp() + SETTLEMENT_WINDOW + 1 hours;
        uint256 max = vm.getBlockTimestamp() + 365 days;
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.ExpiryOutOfRange.selector, min - 1, min, max));
        book.listSeries(address(weth), 3_000e18, min - 1, true, MAX_OPEN);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.ExpiryOutOfRange.selector, max + 1, min, max));
        book.listSeries(address(weth), 3_000e18, max + 1, true, MAX_OPEN);
        book.listSeries(address(weth), 3_000e18, min, true, MAX_OPEN);
        book.listSeries(address(weth), 3_000e18, max, true, MAX_OPEN);
    }

    /// @notice A book whose settlement window is more than half the oracle's TWAP window (301 s vs 600 s) cannot
    /// list: OracleTwapWindowTooShort(asset, 600, 602).
    function test_listSeries__oracleTwapWindowTooShort__reverts() public {
        OptionsBook b = new OptionsBook(address(engine), address(this), address(this), _params(), 301);
        b.setImpliedVol(address(weth), VOL);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.OracleTwapWindowTooShort.selector, address(weth), 600, 602)
        );
        b.listSeries(address(weth), 3_000e18, expiry, true, MAX_OPEN);
    }

    /// @notice At 3,000 (median = TWAP) strikes lie in [750, 12,000]: both ends list, outside reverts
    /// StrikeOutOfBand(strike, 750, 12,000).
    function test_listSeries__strikeOutOfBand__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.StrikeOutOfBand.selector, 750e18 - 1, 750e18, 12_000e18)
        );
        _list(750e18 - 1, true);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.StrikeOutOfBand.selector, 12_000e18 + 1, 750e18, 12_000e18)
        );
        _list(12_000e18 + 1, false);
        _list(750e18, false);
        _list(12_000e18, true);
    }

    /// @notice Listing is new risk: a Stale price reverts PriceUnavailable(asset, AddRisk, Stale).
    function test_listSeries__stalePrice__reverts() public {
        _makeStale();
        expiry = vm.getBlockTimestamp() + TENOR;
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Stale);
        _list(3_000e18, true);
    }

    /// @notice The same asset, strike, expiry and type reverts SeriesAlreadyListed(existing id); another type or
    /// expiry lists.
    function test_listSeries__duplicate__revertsSeriesAlreadyListed() public {
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesAlreadyListed.selector, putId));
        _list(3_000e18, false);
        assertEq(_list(3_600e18, false), 4, "the put of the same strike");
        expiry += 1;
        assertEq(_list(3_000e18, false), 5, "another expiry");
    }
}
