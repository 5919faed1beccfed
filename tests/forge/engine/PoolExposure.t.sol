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
}
