// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {OracleLivenessBase} from "../utils/OracleLivenessBase.sol";

/// @title OracleWindDownTest
/// @notice `OracleAggregator.proposeWindDown` / `executeWindDown`: a long Stale asset is wound down within the governed bound (fixture: OracleLivenessBase).
contract OracleWindDownTest is OracleLivenessBase {
    /// @notice A LUNA-like collapse: LTT falls from 10 to 0.02 USD, leaving the account holding it (a 30 WETH long on
    /// 10,000 LTT) underwater, then its feed answers 0.0001 USD, below its 0.01 bound, before any keeper acts: the asset
    /// is Stale and the account cannot be liquidated. A day after its last price expired anyone proposes a wind-down at what the feed reports (0.0001, below the last median); an
    /// hour later it executes, and the account is liquidated and absorbed at that price. Nothing can be proposed
    /// before the day, executed before the hour, or proposed above the cap; new risk in LTT is refused for ever while
    /// LP exits and closes go on.
    function test_windDown__priceBelowFeedBounds__accountResolvedWithinTheBound() public {
        _listLongTail();
        _deposit(TRADER, ltt, 10_000e18); // 100,000 USD
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();

        _setFeed(address(ltt), 0.02e18);
        _settlePrices();
        _nextBlock();
        _setFeed(address(ltt), 0.0001e18);
        oracle.update(address(ltt));
        assertEq(uint256(oracle.sourceStatus(address(ltt))), uint256(IOracleAggregator.Status.Stale), "LTT Stale");
        assertEq(oracle.median(address(ltt)), 0.02e18, "the last accepted median");
        assertTrue(engine.health(TRADER).liquidatable, "underwater at the stored prices");
        vm.expectRevert();
        engine.liquidationHealth(TRADER); // unpriced: no keeper can act

        IOracleAggregator.PriceData memory last = oracle.getPriceData(address(ltt));
        uint256 resolvableAt = last.updatedAt + MAX_PRICE_AGE + 1 days + 1 hours;
        vm.expectRevert();
        oracle.proposeWindDown(address(ltt)); // not Stale long enough
        vm.warp(last.updatedAt + MAX_PRICE_AGE + 1 days);
        _restampAll();
        (uint256 cap, bool reported) = oracle.windDownCap(address(ltt));
        assertTrue(reported, "the feed reports a price");
        assertEq(cap, 0.0001e18, "the cap is what the feed reports, below the last median");
        oracle.grantRole(oracle.RISK_COMMITTEE_ROLE(), address(this));
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAggregator.WindDownPriceAboveCap.selector, address(ltt), cap + 1, cap)
        );
        oracle.proposeWindDownPrice(address(ltt), cap + 1);
        vm.prank(KEEPER);
        oracle.proposeWindDown(address(ltt));
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.WindDownNotReady.selector, address(ltt), resolvableAt));
        oracle.executeWindDown(address(ltt));

        vm.warp(resolvableAt);
        _restampAll();
        vm.prank(KEEPER);
        oracle.executeWindDown(address(ltt));
        assertEq(uint256(_status(address(ltt))), uint256(IOracleAggregator.Status.WindDown), "wound down");
        assertEq(oracle.median(address(ltt)), 0.0001e18, "at the reported price");
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetWoundDown.selector, address(ltt)));
        oracle.update(address(ltt));

        // Resolvable now: liquidated (and absorbed: insolvent at the wind-down price).
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.liquidatable, "liquidatable at the wind-down price");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertEq(engine.collateralBalance(TRADER, address(ltt)), 0, "the LTT absorbed at 0.0001");
        (, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "the debt settled");

        // No new risk in LTT, ever; LPs still exit.
        ltt.mint(LP, 1e18);
        vm.startPrank(LP);
        ltt.approve(address(pool), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(ltt),
                IOracleAggregator.Action.AddRisk,
                IOracleAggregator.Status.WindDown
            )
        );
        pool.deposit(address(ltt), 1e18, 0, LP);
        pool.withdraw(pool.balanceOf(LP) / 100, address(usdc), 0, LP);
        vm.stopPrank();
    }

    /// @notice A wind-down proposal lapses when the asset gets a fresh price after it, and the risk committee may
    /// cancel one or propose a lower price; without any source report only the committee can propose.
    function test_windDown__recoveredOrUnreported__noPermissionlessWindDown() public {
        _listLongTail();
        _setFeed(address(ltt), 0.0001e18);
        _settlePrices();
        IOracleAggregator.PriceData memory last = oracle.getPriceData(address(ltt));
        vm.warp(last.updatedAt + MAX_PRICE_AGE + 1 days);
        oracle.proposeWindDown(address(ltt));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.WindDownPending.selector, address(ltt), vm.getBlockTimestamp() + 1 hours
            )
        );
        oracle.proposeWindDown(address(ltt));
        // The asset recovers before the execution: the proposal lapses.
        _setFeed(address(ltt), 5e18);
        oracle.update(address(ltt));
        vm.warp(vm.getBlockTimestamp() + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAggregator.NotStaleLongEnough.selector, address(ltt), 0, uint256(1 days))
        );
        oracle.executeWindDown(address(ltt));
        assertEq(oracle.windDownProposal(address(ltt)).price, 0, "nothing pending");

        // A feed that reports nothing: only the risk committee proposes, at most the last median.
        feedOf[address(ltt)].setReverting(true);
        last = oracle.getPriceData(address(ltt));
        vm.warp(last.updatedAt + MAX_PRICE_AGE + 1 days);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.NoSourceReport.selector, address(ltt)));
        oracle.proposeWindDown(address(ltt));
        oracle.grantRole(oracle.RISK_COMMITTEE_ROLE(), address(this));
        oracle.proposeWindDownPrice(address(ltt), 1e18);
        oracle.cancelWindDown(address(ltt));
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.NoWindDownPending.selector, address(ltt)));
        oracle.executeWindDown(address(ltt));
    }
}

/// @title OracleWindDownCapTest
/// @notice `OracleAggregator.windDownCap` over a single standalone source (fixture: OracleFixture).
contract OracleWindDownCapTest is OracleFixture {
    function setUp() public {
        _deployOracle();
    }

    /// @notice A source answering a positive price below one wei of USD (a 20-decimal feed answering 1, outside its
    /// bounds) still reports: the cap counts it as the smallest price, 1 wei, not as zero, and the permissionless
    /// proposal is at that price.
    function test_windDownCap__answerBelowOneWei__countsAsOneWei() public {
        MockFeed feed = _newFeed(20, 2_000e18);
        _list(ASSET, _config(_one(feed), 1));
        oracle.update(ASSET);
        feed.setAnswer(1);
        (uint256 cap, bool reported) = oracle.windDownCap(ASSET);
        assertTrue(reported, "a positive answer reports");
        assertEq(cap, 1, "below one wei counts as one wei");

        vm.warp(T0 + MAX_PRICE_AGE + 1 days);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Stale), "Stale");
        oracle.proposeWindDown(ASSET);
        assertEq(uint256(oracle.windDownProposal(ASSET).price), 1, "proposed at one wei");
    }
}
