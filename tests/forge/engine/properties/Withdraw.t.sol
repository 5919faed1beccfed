// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../../interfaces/IMarginEngine.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {EnginePropertiesBase} from "../../utils/EnginePropertiesBase.sol";

/// @title EnginePropertiesWithdrawTest
/// @notice Properties of `MarginEngine.withdraw`: a flat account withdraws whatever the oracle status and the pause
/// (docs/design.md#invariants, item 8), and a pumped price's unrealized profit can be neither withdrawn nor borrowed
/// against (the 2022 Mango pattern) (fixture: EnginePropertiesBase).
contract EnginePropertiesWithdrawTest is EnginePropertiesBase {
    bytes4 internal constant INSUFFICIENT_MARGIN = bytes4(keccak256("InsufficientMargin(int256,uint256,int256)"));

    /// @notice Item 8: an account without debt and positions, holding any non-empty set of USDC, WBTC, WETH and LTT (up
    /// to 1,000,000 USD of each), withdraws any part (1 % to 100 %) of each whatever the oracle status and the pause.
    function testFuzz_withdraw__noDebtNoPositionsInAnyOracleStatusOrPause__succeeds(
        uint256 state,
        bool paused,
        uint256 held,
        uint256[4] memory amounts,
        uint256[4] memory percents
    ) public {
        held = bound(held, 1, 15); // bit i: the account holds asset i (USDC, WBTC, WETH, LTT)
        uint256[4] memory left;
        for (uint256 i = 0; i < 4; ++i) {
            if (held >> i & 1 == 0) continue;
            left[i] = bound(amounts[i], 1, _unitsFor(_token(i), 1_000_000));
            _deposit(FRESH, _token(i), left[i]);
        }
        _trouble(bound(state, 0, 3));
        if (paused) engine.setNewRiskPaused(true);

        for (uint256 i = 0; i < 4; ++i) {
            if (held >> i & 1 == 0) continue;
            MockERC20 token = _token(i);
            uint256 out = left[i] * bound(percents[i], 1, 100) / 100;
            if (out == 0) out = 1;
            uint256 wallet = token.balanceOf(FRESH);
            _withdraw(FRESH, token, out);
            assertEq(token.balanceOf(FRESH), wallet + out, "paid out");
            left[i] -= out;
        }
        assertEq(_credit(FRESH), left[0], "credit: the USDC left");
        (uint16 collateralMask,) = engine.accountMasks(FRESH);
        for (uint256 i = 1; i < 4; ++i) {
            assertEq(engine.collateralBalance(FRESH, address(_token(i))), left[i], "collateral left");
            assertEq(collateralMask >> (i - 1) & 1 == 1, left[i] != 0, "held exactly while some is left");
        }
    }

    /// @notice Mango 2022: a trader long a perp (on LTT or WETH collateral worth 20,000 USD, half the size the engine
    /// allows) pumps the asset's price to 110 % .. 1,000 % and lets the TWAP catch up. Its maintenance equity shows
    /// the profit, its initial equity does not: any withdrawal of its collateral or loan beyond what the collateral
    /// alone supports, by up to the full profit, reverts with InsufficientMargin; what it supports goes through.
    /// @dev The Python property bisected the withdrawable amount on the Python risk model and held the engine's health
    /// equal to that model (tests/engine/test_risk.py keeps that equality); here the amount is the largest the engine
    /// itself accepts, and the profit's exclusion is checked directly: the initial equity is at most the haircut
    /// collateral plus credit less debt, computed here from the books and prices.
    /// 128 runs: each run bisects an open size and a withdrawal (up to 50 trial calls each).
    /// forge-config: default.fuzz.runs = 128
    function testFuzz_withdraw__pumpedPriceUnrealizedProfit__canBeNeitherWithdrawnNorBorrowedAgainst(
        bool lttCollateral,
        bool wbtcMarket,
        uint256 pumpPct,
        bool borrow,
        uint256 profitShareBps
    ) public {
        MockERC20 collateral = lttCollateral ? ltt : weth;
        uint256 profit = _pumpedLong(collateral, wbtcMarket ? WBTC_PERP : WETH_PERP, bound(pumpPct, 110, 1_000));
        _tryToTakeTheProfit(borrow ? usdc : collateral, profit, bound(profitShareBps, 1, BPS), borrow);
    }

    /// @dev FRESH posts 20,000 USD of `collateral`, opens half the largest long the engine accepts in `market`, and the
    /// asset settles at `pumpPct` of its start. Checks the maintenance equity shows the profit and the initial equity
    /// does not; returns the profit (USD, WAD).
    function _pumpedLong(MockERC20 collateral, uint256 market, uint256 pumpPct) internal returns (uint256) {
        MockERC20 asset = _marketToken(market);
        _deposit(FRESH, collateral, _unitsFor(collateral, 20_000));
        _open(FRESH, market, int256(_roundSize(_maxOpenSize(FRESH, market, true) / 2, market)));
        IMarginEngineTypes.Health memory before = engine.health(FRESH);

        _move(address(asset), _pctPrice(asset, pumpPct));
        (uint256 assetLow,) = _range(asset);
        IMarginEngineTypes.Position memory p = engine.position(FRESH, market);
        int256 profit = _pnlDown(p.size, p.entryPrice, assetLow)
            - int256(_borrowFee(p.size, p.entryPrice, p.entryIndex, pool.borrowIndex()));
        assertTrue(profit > 0, "the pump made a profit");
        IMarginEngineTypes.Health memory h = engine.health(FRESH);
        assertTrue(h.maintenanceEquity - before.maintenanceEquity >= profit * 9 / 10, "maintenance equity shows it");
        assertTrue(h.initialEquity <= _collateralOnlyInitialEquity(collateral), "initial equity does not count it");
        return uint256(profit);
    }

    /// @dev Withdraw (or borrow, for USDC) one unit more than the engine allows plus `shareBps` of the profit: reverts
    /// InsufficientMargin; what it allows goes through.
    function _tryToTakeTheProfit(MockERC20 token, uint256 profit, uint256 shareBps, bool borrow) internal {
        uint256 cap = borrow ? 1e15 : engine.collateralBalance(FRESH, address(token)); // a loan: up to 1e9 USDC
        uint256 low = _maxWithdraw(FRESH, token, cap);
        (, uint256 high) = _range(token);
        uint256 attempt = low + 1 + profit * 10 ** token.decimals() / high * shareBps / BPS;
        if (borrow || attempt <= cap) {
            vm.expectPartialRevert(INSUFFICIENT_MARGIN);
            _withdraw(FRESH, token, attempt);
        }
        if (low != 0) _withdraw(FRESH, token, low); // what the collateral alone supports still goes through
    }

    /// @dev FRESH's collateral at its lower price less the initial haircut, plus its credit at USDC's lower price, less
    /// its debt at USDC's upper price (USD, WAD; rounded as the engine rounds).
    function _collateralOnlyInitialEquity(MockERC20 collateral) internal view returns (int256) {
        (uint256 low,) = _range(collateral);
        uint256 haircut = collateral == ltt ? LTT_INITIAL_HAIRCUT_BPS : INITIAL_HAIRCUT_BPS;
        uint256 value = engine.collateralBalance(FRESH, address(collateral)) * low / 10 ** collateral.decimals();
        (uint256 usdcLow, uint256 usdcHigh) = _range(usdc);
        (uint256 credit,, uint256 debt) = engine.cash(FRESH);
        return int256(value * (BPS - haircut) / BPS + credit * usdcLow / 1e6) - int256(_divUp(debt * usdcHigh, 1e6));
    }
}
