// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../interfaces/IErrors.sol";
import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title LivenessOracleTest
/// @notice The oracle never freezes an account for ever (docs/design.md#liveness): a guardian freeze stops new risk
/// only and expires by itself, and an asset whose price left its feeds' bounds is wound down within a governed time at
/// a price no higher than its market, after which every account holding it is liquidated or absorbed.
contract LivenessOracleTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant OTHER = address(0x3333);

    MockERC20 internal ltt;

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _nextBlock();
    }

    function _status(address asset) internal view returns (IOracleAggregator.Status) {
        return oracle.status(asset);
    }

    // ---------------------------------------------------------------- freezes (finding: exits blocked for ever)

    /// @notice While WETH is frozen: new risk and LP withdrawals are refused, but a trader closes and a keeper
    /// liquidates at the sources' price. The guardian cannot chain freezes; the freeze ends by itself after
    /// `maxFreezeDuration` (1 day); only governance renews it.
    function test_freeze__expiresAndNeverBlocksExits() public {
        _openBenchLong(TRADER);
        _deposit(OTHER, usdc, 100_000e6);
        _nextBlock();
        _open(OTHER, 0, 10e18);
        _nextBlock();
        oracle.setFrozen(address(weth), true);
        uint256 until = vm.getBlockTimestamp() + 1 days;
        assertEq(oracle.frozenUntil(address(weth)), until, "a day");
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Frozen), "frozen");

        // New risk and LP mint/burn are braked.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(weth),
                IOracleAggregator.Action.AddRisk,
                IOracleAggregator.Status.Frozen
            )
        );
        _open(OTHER, 0, 1e18);
        uint256 shares = pool.balanceOf(LP) / 100;
        vm.prank(LP);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(weth),
                IOracleAggregator.Action.Value,
                IOracleAggregator.Status.Frozen
            )
        );
        pool.withdraw(shares, address(usdc), 0, LP);

        // Exits are not: a close, and a liquidation after a crash, while still frozen.
        vm.prank(OTHER);
        engine.modifyPosition(0, -10e18, 0);
        assertEq(int256(engine.position(OTHER, 0).size), 0, "closed while frozen");
        _setFeed(address(weth), 2_000e18);
        _settlePrices();
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Frozen), "still frozen");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "liquidated while frozen");

        // The guardian may not chain freezes; the freeze expires by itself; governance renews.
        oracle.setFrozen(address(weth), false);
        uint256 allowedAt = vm.getBlockTimestamp() + 1 days;
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.FreezeTooSoon.selector, address(weth), allowedAt));
        oracle.setFrozen(address(weth), true);
        oracle.freezeFor(address(weth), 2 hours);
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        _settlePrices();
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Ok), "expired by itself");
        vm.prank(LP);
        pool.withdraw(shares, address(usdc), 0, LP);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.InvalidFreezeDuration.selector, 1 days + 1, 1 days));
        oracle.freezeFor(address(weth), 1 days + 1);
    }

    /// @notice The liveness bounds are governed within fixed limits.
    function test_setLivenessParams__outOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("maxFreezeDuration"), 8 days, 1 hours, 7 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(8 days, 1 days, 1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("windDownAfter"), 59 minutes, 1 hours, 30 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 days, 59 minutes, 1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("windDownDelay"), 5 minutes, 10 minutes, 7 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 days, 1 days, 5 minutes));
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 hours, 1 hours, 10 minutes));
        assertEq(oracle.livenessParams().windDownAfter, 1 hours, "set");
    }

    // ---------------------------------------------------------------- wind-down (finding: stuck below the bounds)

    /// @dev LTT at 10 USD whose only feed accepts 0.01 USD and up; a pool asset, collateral and market 2.
    function _listLongTail() internal {
        ltt = new MockERC20("LTT", "LTT", 18);
        MockFeed feed = new MockFeed(FEED_DECIMALS, 10e8, "ltt feed");
        IOracleAggregator.AssetConfig memory config = _benchOracleConfig(feed);
        config.sources[0].minAnswer = 1e6; // 0.01 USD: answers below it are not a price
        oracle.setAssetConfig(address(ltt), config);
        oracle.update(address(ltt));
        assets.push(address(ltt));
        feedOf[address(ltt)] = feed;
        pool.listAsset(address(ltt), IPool.AssetParams(0, 10_000, 0, 0, CAP));
        _listCollateral(address(ltt));
        _listMarket(address(ltt), 1e18);
    }

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

    /// @dev Restamp every feed but LTT's (so the other assets stay Ok while time passes) and update them.
    function _restampAll() internal {
        for (uint256 i = 0; i < assets.length; ++i) {
            if (assets[i] == address(ltt)) continue;
            MockFeed feed = feedOf[assets[i]];
            feed.setAnswer(feed.answer());
            oracle.update(assets[i]);
        }
    }
}
