// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {MarginEngineUnitBase} from "./MarginEngineUnit.t.sol";

/// @title MarginEngineUnitViewsTest
/// @notice MarginEngine unit tests of the health computation, the pool exposure and the price policy of trades
/// (mutation campaign; line numbers of contracts/MarginEngine.sol). Prices that differ between median and TWAP come
/// from one oracle update after a feed move (3 %: still Ok; 10 %: Deviated).
contract MarginEngineUnitViewsTest is MarginEngineUnitBase {
    using FixedPointMath for uint256;

    uint8 internal constant OK = 0;
    uint8 internal constant DEVIATED = 1;
    uint8 internal constant STALE = 2;
    uint8 internal constant ADD_RISK = 0;
    uint8 internal constant REDUCE = 1;
    uint8 internal constant LIQUIDATE = 2;
    uint8 internal constant VALUE = 3;

    /// @dev One oracle update after a feed move: the median moves at once, the TWAP lags.
    function _jump(address asset, uint256 wad) internal returns (uint256 low, uint256 high, uint8 status) {
        _nextBlock();
        _setFeed(asset, wad);
        oracle.update(asset);
        _nextBlock();
        (uint256 median, uint256 twap, uint8 s,) = _priceData(asset);
        assertTrue(median != twap, "median and twap differ");
        (low, high, status) = median < twap ? (median, twap, s) : (twap, median, s);
    }

    function _priceUnavailable(address asset, uint8 action, uint8 status) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", asset, action, status);
    }

    // ---------------------------------------------------------------- health: collateral prices

    /// @notice WETH up 3 % (Ok, median above TWAP): initial equity counts the lower price, maintenance the higher
    /// (lines 382, 605).
    function test_health__priceUp__lowForInitialHighForMaintenance() public {
        _deposit(TRADER, weth, 10e18);
        (uint256 low, uint256 high, uint8 status) = _jump(address(weth), 3_090e18);
        assertEq(uint256(status), uint256(OK), "still Ok");
        (uint256 median,,,) = _priceData(address(weth));
        assertEq(median, high, "the median is the higher");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, int256(uint256(10e18).toValueDown(low, 18).mulBpsDown(8_500)), "initial at low");
        assertEq(h.maintenanceEquity, int256(uint256(10e18).toValueDown(high, 18).mulBpsDown(9_000)), "maint at high");
    }

    /// @notice WETH down 3 % (Ok, median below TWAP): the same, the other way round (line 605).
    function test_health__priceDown__lowForInitialHighForMaintenance() public {
        _deposit(TRADER, weth, 10e18);
        (uint256 low, uint256 high, uint8 status) = _jump(address(weth), 2_910e18);
        assertEq(uint256(status), uint256(OK), "still Ok");
        (uint256 median,,,) = _priceData(address(weth));
        assertEq(median, low, "the median is the lower");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, int256(uint256(10e18).toValueDown(low, 18).mulBpsDown(8_500)), "initial at low");
        assertEq(h.maintenanceEquity, int256(uint256(10e18).toValueDown(high, 18).mulBpsDown(9_000)), "maint at high");
    }

    /// @notice Deviated collateral counts nothing towards initial equity, its higher price towards maintenance
    /// (line 406).
    function test_health__deviatedCollateral__noInitialValue() public {
        _deposit(TRADER, weth, 10e18);
        (, uint256 high, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, 0, "no initial value");
        assertEq(h.maintenanceEquity, int256(uint256(10e18).toValueDown(high, 18).mulBpsDown(9_000)), "maint at high");
    }

    /// @notice A Stale collateral price: `health` still reads it (initial value zero), `liquidationHealth` reverts
    /// (line 600).
    function test_health__staleCollateral__onlyLiquidationReverts() public {
        _deposit(TRADER, weth, 10e18);
        _staleOnly(address(weth));
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, 0, "no initial value");
        assertEq(h.maintenanceEquity, 27_000e18, "maintenance at the last price");
        vm.expectRevert(_priceUnavailable(address(weth), LIQUIDATE, STALE));
        engine.liquidationHealth(TRADER);
    }

    /// @notice A Stale settlement price: `health` reads it, `liquidationHealth` reverts (line 586).
    function test_health__staleSettlement__onlyLiquidationReverts() public {
        _deposit(TRADER, weth, 10e18);
        _staleOnly(address(usdc));
        assertEq(engine.health(TRADER).maintenanceEquity, 27_000e18, "health reads the last price");
        vm.expectRevert(_priceUnavailable(address(usdc), LIQUIDATE, STALE));
        engine.liquidationHealth(TRADER);
    }

    /// @notice An account holding only WETH reads no WBTC price: its liquidation health works while WBTC is Stale
    /// (line 382).
    function test_liquidationHealth__unheldCollateralStale__ignored() public {
        _deposit(TRADER, weth, 10e18);
        _staleOnly(address(wbtc));
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceEquity, 27_000e18, "10 WETH at 3,000 less 10 %");
        assertEq(h.maintenanceMargin, 0, "no position");
    }

    /// @notice A position in market 1 only: WETH (market 0) Stale is not read; the margin is 0.1 WBTC at 60,000 at
    /// 5 % (line 387).
    function test_liquidationHealth__unheldMarketStale__ignored() public {
        _deposit(TRADER, wbtc, 1e8);
        _open(TRADER, 1, 0.1e18);
        _staleOnly(address(weth));
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceMargin, 300e18, "market 1's margin");
    }

    /// @notice WBTC collateral and a WETH position: the position is valued at WETH's price, not the cached WBTC
    /// one (line 443).
    function test_health__otherAssetCached__ownPriceUsed() public {
        _deposit(TRADER, wbtc, 1e8);
        _open(TRADER, 0, 1e18);
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.maintenanceMargin, 150e18, "1 WETH at 3,000 at 5 %");
        assertEq(h.initialMargin, 300e18, "1 WETH at 3,000 at 10 %");
    }

    // ---------------------------------------------------------------- trade price policy

    /// @notice Opening against a Stale price reverts with the AddRisk action; reducing at a Deviated price goes
    /// through (line 480).
    function test_modifyPosition__pricePolicy__riskVersusReduce() public {
        _deposit(TRADER, usdc, 10_000e6);
        _open(TRADER, 0, 1e18);
        (,, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        _open(TRADER, 0, -0.5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0.5e18, "reduced at a Deviated price");
        _staleOnly(address(weth));
        vm.expectRevert(_priceUnavailable(address(weth), ADD_RISK, STALE));
        _open(TRADER, 0, 1e18);
    }

    /// @notice New risk needs every held market's price Ok, and only those: with WETH Deviated, an account without
    /// a WETH position opens on WBTC, one with a WETH position may not (line 467).
    function test_modifyPosition__heldMarketDeviated__reverts() public {
        _deposit(TRADER, usdc, 10_000e6);
        _deposit(OTHER, usdc, 10_000e6);
        _open(TRADER, 0, 1e18);
        (,, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        _open(OTHER, 1, 1e16);
        assertEq(int256(engine.position(OTHER, 1).size), 1e16, "opened on WBTC");
        vm.expectRevert(_priceUnavailable(address(weth), ADD_RISK, DEVIATED));
        _open(TRADER, 1, 1e16);
    }

    // ---------------------------------------------------------------- pool exposure

    /// @notice One long market: its PnL and reserve count, at the single Ok price (line 352).
    function test_poolExposure__longOnly__counted() public {
        _deposit(TRADER, usdc, 100_000e6);
        _open(TRADER, 0, 40e18);
        _move(address(weth), 3_300e18);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved,) = engine.poolExposure(false);
        assertEq(reserved, 132_000e18, "40 WETH at 3,300");
        assertEq(pnlLow, pnlHigh, "one price");
        assertApproxEqAbs(uint256(pnlLow), 12_000e18, 1e18, "40 x 300 less borrow fees (about 0.12)");
    }

    /// @notice The policy-checked exposure reads only markets with open interest (line 352), and only when asked
    /// (line 355): a Stale WBTC with market 1 empty passes; a Stale WETH with market 0 open reverts, unless unchecked.
    function test_poolExposure__enforce__onlyOpenMarkets() public {
        _deposit(TRADER, usdc, 100_000e6);
        _open(TRADER, 0, 10e18);
        _staleOnly(address(wbtc));
        (,, uint256 reserved,) = engine.poolExposure(true);
        assertEq(reserved, 30_000e18, "market 0 only");
        _staleOnly(address(weth));
        (,, reserved,) = engine.poolExposure(false);
        assertEq(reserved, 30_000e18, "unchecked read");
        vm.expectRevert(_priceUnavailable(address(weth), VALUE, STALE));
        engine.poolExposure(true);
    }

    /// @notice Long open interest, median above TWAP: PnL at the low price below PnL at the high one; reserves at the
    /// higher price (lines 359, 611).
    function test_poolExposure__longPriceUp__ordered() public {
        _deposit(TRADER, usdc, 100_000e6);
        _open(TRADER, 0, 10e18);
        (, uint256 high,) = _jump(address(weth), 3_090e18);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved,) = engine.poolExposure(false);
        assertTrue(pnlLow < pnlHigh, "ordered");
        assertEq(reserved, uint256(10e18).mulWadUp(high), "at the higher price");
    }

    /// @notice Short open interest, median below TWAP: the same ordering; a short reserves its entry notional (the
    /// most it can gain), whatever the price now.
    function test_poolExposure__shortPriceDown__ordered() public {
        _deposit(TRADER, usdc, 100_000e6);
        _open(TRADER, 0, -10e18);
        _jump(address(weth), 2_910e18);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved,) = engine.poolExposure(false);
        assertTrue(pnlLow < pnlHigh, "ordered");
        assertEq(reserved, uint256(10e18).mulWadUp(engine.position(TRADER, 0).entryPrice), "the entry notional");
    }
}

/// @title MarginEngineUnitUnpricedTest
/// @notice The core deployed before the settlement asset's first oracle update (its median and TWAP still zero):
/// a trade on a fee-free market must fail on the settlement price's policy check, not on a division by its zero price
/// (line 493: a zero fee is not converted to settlement units).
contract MarginEngineUnitUnpricedTest is MarginEngineUnitBase {
    function setUp() public override {
        _deployOracle();
        usdc = new MockERC20("USDC", "USDC", 6);
        MockFeed feed = new MockFeed(FEED_DECIMALS, 1e8, "feed");
        oracle.setAssetConfig(address(usdc), _benchOracleConfig(feed)); // listed, never updated
        weth = _newAsset("WETH", 18, 3_000e18);
        _deployCore();
        _listPoolAsset(address(usdc), 5_000);
        _listPoolAsset(address(weth), 5_000);
        _listMarket(address(weth), 1e16);
        IMarginEngineTypes.MarketParams memory p = engine.marketParams(0);
        p.tradingFeeBps = 0;
        engine.setMarketParams(0, p);
        _nextBlock();
    }

    /// @notice The open reverts PriceUnavailable for the settlement asset (Stale: never updated) (line 493).
    function test_modifyPosition__settlementNeverPriced__policyRevert() public {
        (uint256 median, uint256 twap,,) = _priceData(address(usdc));
        assertEq(median + twap, 0, "no settlement price yet");
        _deposit(TRADER, usdc, 1_000e6);
        assertEq(_credit(TRADER), 1_000e6, "credited without a price");
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 2));
        _open(TRADER, 0, 1e18);
    }
}
