// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEnginePoolExposureTest
/// @notice `MarginEngine.poolExposure`: the traders' book the Pool reads (fixture: MarginEngineBase).
contract MarginEnginePoolExposureTest is MarginEngineBase {
    using FixedPointMath for uint256;

    /// @notice One long market: its PnL and reserve count, at the single Ok price.
    function test_poolExposure__longOnly__counted() public {
        _deposit(TRADER, usdc, 100_000e6);
        _open(TRADER, 0, 40e18);
        _move(address(weth), 3_300e18);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved,) = engine.poolExposure(false);
        assertEq(reserved, 132_000e18, "40 WETH at 3,300");
        assertEq(pnlLow, pnlHigh, "one price");
        assertApproxEqAbs(uint256(pnlLow), 12_000e18, 1e18, "40 x 300 less borrow fees (about 0.12)");
    }

    /// @notice The policy-checked exposure reads only markets with open interest, and only when asked: a Stale WBTC
    /// with market 1 empty passes; a Stale WETH with market 0 open reverts, unless unchecked.
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
    /// higher price.
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

    /// @notice A trader's profit is the Pool's loss: a 10 WETH long on 20 WETH, WETH from 3,000 to 3,150. No
    /// provision, one price, a PnL of 1,500 USD less borrow fees, 31,500 USD reserved, and the Pool's lower NAV moves
    /// by the gain on its own WETH less that PnL (to 1 USD of interest).
    function test_poolExposure__traderProfit__lowersTheNavByIt() public {
        _deposit(TRADER, weth, 20e18);
        _open(TRADER, 0, 10e18);
        int256 navBefore = pool.nav(false);
        uint256 poolWeth = pool.reserves(address(weth));
        _move(address(weth), 3_150e18);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved, uint256 provision) = engine.poolExposure(false);
        assertEq(provision, 0, "no provision");
        assertEq(pnlLow, pnlHigh, "median == TWAP after the move");
        assertTrue(pnlHigh > 1_499e18 && pnlHigh <= 1_500e18, "1,500 USD less borrow fees");
        assertEq(reserved, 31_500e18, "10 WETH at 3,150");
        int256 poolWethGain = int256(poolWeth * 150);
        assertApproxEqAbs(pool.nav(false) - navBefore, poolWethGain - pnlHigh, 1e18, "the WETH gain less the PnL");
    }
}
