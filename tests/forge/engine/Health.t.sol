// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineHealthTest
/// @notice `MarginEngine.health` and `liquidationHealth`: the prices and sides each side of the account math reads (fixture: MarginEngineBase).
contract MarginEngineHealthTest is MarginEngineBase {
    using FixedPointMath for uint256;

    /// @dev TRADER posts 10 WETH, then WETH jumps to `wad` and stays Ok: its lower and higher prices and its median.
    function _okJumpOnTenWeth(uint256 wad) internal returns (uint256 low, uint256 high, uint256 median) {
        _deposit(TRADER, weth, 10e18);
        uint8 status;
        (low, high, status) = _jump(address(weth), wad);
        assertEq(uint256(status), uint256(OK), "still Ok");
        (median,,,) = _priceData(address(weth));
    }

    /// @dev TRADER posts 10 WETH, then every price but `asset`'s is refreshed and `asset`'s goes Stale.
    function _tenWethThenStale(address asset) internal {
        _deposit(TRADER, weth, 10e18);
        _staleOnly(asset);
    }

    /// @dev TRADER's 10 WETH count at `low` towards initial equity (15 % haircut), at `high` towards maintenance (10 %).
    function _assertEquityAt(uint256 low, uint256 high) internal view {
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, int256(uint256(10e18).toValueDown(low, 18).mulBpsDown(8_500)), "initial at low");
        assertEq(h.maintenanceEquity, int256(uint256(10e18).toValueDown(high, 18).mulBpsDown(9_000)), "maint at high");
    }

    /// @notice WETH up 3 % (Ok, median above TWAP): initial equity counts the lower price, maintenance the higher.
    function test_health__priceUp__lowForInitialHighForMaintenance() public {
        (uint256 low, uint256 high, uint256 median) = _okJumpOnTenWeth(3_090e18);
        assertEq(median, high, "the median is the higher");
        _assertEquityAt(low, high);
    }

    /// @notice WETH down 3 % (Ok, median below TWAP): the same, the other way round.
    function test_health__priceDown__lowForInitialHighForMaintenance() public {
        (uint256 low, uint256 high, uint256 median) = _okJumpOnTenWeth(2_910e18);
        assertEq(median, low, "the median is the lower");
        _assertEquityAt(low, high);
    }

    /// @notice Deviated collateral counts nothing towards initial equity, its higher price towards maintenance.
    function test_health__deviatedCollateral__noInitialValue() public {
        _deposit(TRADER, weth, 10e18);
        (, uint256 high, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, 0, "no initial value");
        assertEq(h.maintenanceEquity, int256(uint256(10e18).toValueDown(high, 18).mulBpsDown(9_000)), "maint at high");
    }

    /// @notice A Stale collateral price: `health` still reads it (initial value zero), `liquidationHealth` reverts.
    function test_health__staleCollateral__onlyLiquidationReverts() public {
        _tenWethThenStale(address(weth));
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.initialEquity, 0, "no initial value");
        assertEq(h.maintenanceEquity, 27_000e18, "maintenance at the last price");
        vm.expectRevert(_priceUnavailable(address(weth), LIQUIDATE, STALE));
        engine.liquidationHealth(TRADER);
    }

    /// @notice A Stale settlement price: `health` reads it, `liquidationHealth` reverts.
    function test_health__staleSettlement__onlyLiquidationReverts() public {
        _tenWethThenStale(address(usdc));
        assertEq(engine.health(TRADER).maintenanceEquity, 27_000e18, "health reads the last price");
        vm.expectRevert(_priceUnavailable(address(usdc), LIQUIDATE, STALE));
        engine.liquidationHealth(TRADER);
    }

    /// @notice An account holding only WETH reads no WBTC price: its liquidation health works while WBTC is Stale.
    function test_liquidationHealth__unheldCollateralStale__ignored() public {
        _tenWethThenStale(address(wbtc));
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceEquity, 27_000e18, "10 WETH at 3,000 less 10 %");
        assertEq(h.maintenanceMargin, 0, "no position");
    }

    /// @notice A position in market 1 only: WETH (market 0) Stale is not read; the margin is 0.1 WBTC at 60,000 at 5 %.
    function test_liquidationHealth__unheldMarketStale__ignored() public {
        _deposit(TRADER, wbtc, 1e8);
        _open(TRADER, 1, 0.1e18);
        _staleOnly(address(weth));
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceMargin, 300e18, "market 1's margin");
    }

    /// @notice WBTC collateral and a WETH position: the position is valued at WETH's price, not the cached WBTC one.
    function test_health__otherAssetCached__ownPriceUsed() public {
        _deposit(TRADER, wbtc, 1e8);
        _open(TRADER, 0, 1e18);
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.maintenanceMargin, 150e18, "1 WETH at 3,000 at 5 %");
        assertEq(h.initialMargin, 300e18, "1 WETH at 3,000 at 10 %");
    }
}
