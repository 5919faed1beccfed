// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {OracleViewBase} from "../utils/OracleViewBase.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";

/// @title OracleStatusMultiSourceTest
/// @notice `OracleAggregator.status`: Ok, Deviated, Stale, Frozen from the sources, age and guardian (fixture: MultiSourceOracleBase).
contract OracleStatusMultiSourceTest is MultiSourceOracleBase {
    function test_status__everyTransition__followsSourcesAgeAndFreeze() public {
        AggregatorV3Interface[] memory list = new AggregatorV3Interface[](3);
        (list[0], list[1], list[2]) = (feeds[0], feeds[1], feeds[2]);
        _list(ASSET, _config(list, 2));
        // Listed but never updated: Stale, nothing is priced.
        assertEq(uint256(_status(ASSET)), uint256(IOracleAggregator.Status.Stale), "never updated");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);

        uint256 t = T0;
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "all fresh and equal");
        assertEq(oracle.priceForRisk(ASSET, true), P, "Ok: risk price");

        // Dispersion: one source 5 % off (median unmoved) -> Deviated: reduce and liquidate only.
        t = _step(t, 60);
        _setPrice(feeds[2], P * 105 / 100);
        assertEq(oracle.update(ASSET).median, P, "median ignores the outlier");
        _assertStatus(IOracleAggregator.Status.Deviated, "dispersed sources");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, IOracleAggregator.Status.Deviated);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: reduce allowed");
        assertEq(oracle.priceForLiquidation(ASSET, true), P, "Deviated: liquidation allowed");

        t = _step(t, 60);
        _setPrice(feeds[2], P);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "dispersion gone");

        // Quorum lost (2 of 3 revert): Stale at once, the median is kept, nothing is priced.
        t = _step(t, 60);
        feeds[0].setReverting(true);
        feeds[1].setReverting(true);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.median, P, "median kept when the quorum is lost");
        assertEq(data.updatedAt, t - 60, "updatedAt kept when the quorum is lost");
        _assertStatus(IOracleAggregator.Status.Stale, "quorum lost");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);

        t = _step(t, 60);
        feeds[0].setReverting(false);
        feeds[1].setReverting(false);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "quorum back");

        // Age: valid for exactly maxPriceAge seconds after the update.
        t = _step(t, MAX_PRICE_AGE);
        _assertStatus(IOracleAggregator.Status.Ok, "at maxPriceAge");
        t = _step(t, 1);
        _assertStatus(IOracleAggregator.Status.Stale, "past maxPriceAge");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
        // The sources are past their heartbeat too: an update alone cannot revive the price.
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Stale, "update with stale sources");
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "fresh sources");

        // Frozen beats Stale for new risk, survives updates and age; only the guardian toggles it. Closes and
        // liquidations follow the sources' own status (docs/design.md#liveness).
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), oracle.GUARDIAN_ROLE()
            )
        );
        oracle.setFrozen(ASSET, true);
        _guardianSetFrozen(true);
        _assertStatus(IOracleAggregator.Status.Frozen, "frozen");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, IOracleAggregator.Status.Frozen);
        oracle.priceForLiquidation(ASSET, true); // the sources are Ok: priced
        vm.prank(GUARDIAN);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.FreezeUnchanged.selector, ASSET, true));
        oracle.setFrozen(ASSET, true);
        t = _step(t, 60);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Frozen, "update does not unfreeze");
        t = _step(t, MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Frozen, "Frozen beats Stale");
        _expectUnpriced(IOracleAggregator.Action.Liquidate, true, IOracleAggregator.Status.Stale); // the sources' own status is Stale
        _guardianSetFrozen(false);
        _assertStatus(IOracleAggregator.Status.Stale, "unfrozen, still too old");
        _step(t, 60);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "unfrozen and fresh");
    }
}

/// @title OracleStatusTest
/// @notice `OracleAggregator.status`: Ok, Deviated, Stale, Frozen from the sources, age and guardian (fixture: OracleViewBase).
contract OracleStatusTest is OracleViewBase {
    /// @notice A price is Ok for exactly maxPriceAge seconds after its update and Stale one second later (status() and
    /// getPriceData agree, every policy price reverts Stale).
    function test_status__pastMaxPriceAge__stale() public {
        _updateAt(T0, P);
        vm.warp(T0 + MAX_PRICE_AGE);
        _assertStatus(IOracleAggregator.Status.Ok, "at maxPriceAge");
        assertEq(oracle.priceForRisk(ASSET, true), P, "Ok: risk price");
        vm.warp(T0 + MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Stale, "past maxPriceAge");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
    }

    /// @notice A call evaluated at a clock behind the stored update (a node simulating `eth_call` at an earlier time
    /// than a block it mined) reads the price as fresh: status and getPriceData answer Ok, no arithmetic panic.
    function test_status__clockBehindTheUpdate__okWithoutReverting() public {
        _updateAt(T0, P);
        vm.warp(T0 - 30);
        _assertStatus(IOracleAggregator.Status.Ok, "clock behind the update");
        assertEq(oracle.getPriceData(ASSET).median, P, "median read");
        assertEq(oracle.priceForLiquidation(ASSET, true), P, "liquidation price read");
    }

    /// @notice Listed but never updated (updatedAt 0): Stale, every policy price reverts PriceUnavailable(.., Stale),
    /// including Reduce and Liquidate.
    function test_status__neverUpdated__staleAndUnpriced() public {
        _assertStatus(IOracleAggregator.Status.Stale, "never updated");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
    }

    /// @notice Frozen beats a fresh Ok price for new risk: status Frozen, adding risk and valuing the Pool revert
    /// PriceUnavailable(.., Frozen), while reducing and liquidating follow the sources' own status (Ok: priced;
    /// docs/design.md#liveness). Unfrozen it is Ok again.
    function test_status__frozen__refusesNewRiskAndPricesExits() public {
        _updateAt(T0, P);
        _assertStatus(IOracleAggregator.Status.Ok, "fresh");
        _guardianSetFrozen(true);
        _assertStatus(IOracleAggregator.Status.Frozen, "frozen");
        assertEq(uint256(oracle.sourceStatus(ASSET)), uint256(IOracleAggregator.Status.Ok), "the sources are Ok");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, IOracleAggregator.Status.Frozen);
        _expectBoundsUnpriced(IOracleAggregator.Action.Value, IOracleAggregator.Status.Frozen);
        assertEq(oracle.priceForReduce(ASSET, true), P, "a close is priced");
        assertEq(oracle.priceForLiquidation(ASSET, false), P, "a liquidation is priced");
        _guardianSetFrozen(false);
        _assertStatus(IOracleAggregator.Status.Ok, "unfrozen");
    }

    /// @notice Past maxPriceAge the price is Stale but kept: getPriceData is (P, P, Stale, T0) and a reduce price
    /// reverts PriceUnavailable(asset, Reduce, Stale); the next update with a fresh answer makes it Ok.
    function test_status__pastMaxPriceAge__staleKeepingThePriceUntilTheNextUpdate() public {
        _updateAt(T0, P);
        vm.warp(T0 + MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Stale, "past maxPriceAge");
        IOracleAggregator.PriceData memory data = oracle.getPriceData(ASSET);
        assertEq(data.median, P, "median kept");
        assertEq(data.twap, P, "twap kept");
        assertEq(data.updatedAt, T0, "updatedAt kept");
        _expectUnpriced(IOracleAggregator.Action.Reduce, true, IOracleAggregator.Status.Stale);
        _updateAt(T0 + MAX_PRICE_AGE + 60, P);
        _assertStatus(IOracleAggregator.Status.Ok, "updated with a fresh answer");
    }

    /// @notice One source (deviation bound 5 %) through every transition: Ok -> Deviated (15 % from the TWAP) ->
    /// Frozen -> Deviated (guardian) -> Stale (age) -> Frozen (governance's freezeFor: the guardian may not chain
    /// freezes) -> Stale (guardian unfreezes) -> Deviated (fresh, 30 % from the TWAP) -> Ok (a window later) -> Stale
    /// (quorum lost) -> Ok -> Frozen (freezeFor) -> Ok.
    function test_status__everyTransition__followsSourcesAgeAndGuardian() public {
        _updateAt(T0, P);
        _assertStatus(IOracleAggregator.Status.Ok, "first price");

        uint256 t = T0 + TWAP_WINDOW;
        uint256 high = P * 115 / 100;
        _updateAt(t, high);
        _assertStatus(IOracleAggregator.Status.Deviated, "Ok -> Deviated");

        _guardianSetFrozen(true);
        _assertStatus(IOracleAggregator.Status.Frozen, "Deviated -> Frozen");
        _guardianSetFrozen(false);
        _assertStatus(IOracleAggregator.Status.Deviated, "Frozen -> Deviated");

        vm.warp(t + MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Stale, "Deviated -> Stale");

        oracle.freezeFor(ASSET, 3_600);
        _assertStatus(IOracleAggregator.Status.Frozen, "Stale -> Frozen");
        _guardianSetFrozen(false);
        _assertStatus(IOracleAggregator.Status.Stale, "Frozen -> Stale");

        // The stored TWAP runs from the observation at t: `high` held since then, and 1.5 P is 30 % above it.
        t += MAX_PRICE_AGE + 60;
        _updateAt(t, P * 3 / 2);
        _assertStatus(IOracleAggregator.Status.Deviated, "Stale -> Deviated");

        t += TWAP_WINDOW;
        _updateAt(t, P * 3 / 2);
        _assertStatus(IOracleAggregator.Status.Ok, "Deviated -> Ok");

        feed.setReverting(true);
        vm.warp(t + 60);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Stale, "Ok -> Stale (quorum)");

        feed.setReverting(false);
        _updateAt(t + 120, P * 3 / 2);
        _assertStatus(IOracleAggregator.Status.Ok, "Stale -> Ok");

        oracle.freezeFor(ASSET, 3_600);
        _assertStatus(IOracleAggregator.Status.Frozen, "Ok -> Frozen");
        _guardianSetFrozen(false);
        _assertStatus(IOracleAggregator.Status.Ok, "Frozen -> Ok");
    }
}
