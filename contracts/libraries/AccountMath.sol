// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine} from "../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/// @title AccountMath
/// @notice The margin engine's formulas (docs/design.md#account-math): account valuation, trades, borrow fees and the
/// per-market aggregates the Pool values traders' PnL with. Equity rounds down, requirements and fees round up.
library AccountMath {
    using FixedPointMath for uint256;

    uint256 private constant WAD = 1e18;

    /// @notice Aggregates of a market, enough to value all its positions at any price in O(1).
    /// @dev Each position contributes `notional = |size| * entry` (rounded up) to its side and to `feeBase`, and
    /// `notional / entryIndex` (rounded down) to `feeScaled`; removing it subtracts the same numbers exactly.
    struct MarketState {
        uint128 longSize;
        uint128 shortSize;
        uint128 longEntryNotional;
        uint128 shortEntryNotional;
        uint128 feeBase;
        uint128 feeScaled;
    }

    /// @notice Running sums of an account's valuation.
    struct Totals {
        int256 maintenance;
        uint256 maintenanceMargin;
        int256 initial;
        uint256 initialMargin;
        uint256 stressLoss;
    }

    // ---------------------------------------------------------------- valuation

    function addCollateral(
        Totals memory t,
        uint256 amount,
        uint8 decimals,
        uint256 low,
        uint256 high,
        uint256 initialHaircutBps,
        uint256 maintHaircutBps,
        uint256 stressShockBps
    ) internal pure {
        if (amount == 0) return;
        t.maintenance += int256(amount.toValueDown(high, decimals).mulBpsDown(FixedPointMath.BPS - maintHaircutBps));
        uint256 initialValue = amount.toValueDown(low, decimals).mulBpsDown(FixedPointMath.BPS - initialHaircutBps);
        t.initial += int256(initialValue);
        t.stressLoss += initialValue.mulBpsUp(stressShockBps);
    }

    /// @notice A position with its market's fractions, as the valuation reads it.
    struct PositionInput {
        int256 size;
        uint256 entry;
        uint256 entryIndex;
        uint256 initialMarginBps;
        uint256 maintenanceMarginBps;
        uint256 stressShockBps;
    }

    function addPosition(Totals memory t, PositionInput memory p, uint256 index, uint256 low, uint256 high)
        internal
        pure
    {
        if (p.size == 0) return;
        int256 fee = int256(borrowFee(p.size, p.entry, p.entryIndex, index));
        // Maintenance: the price better for the account (the liquidation price).
        uint256 better = p.size > 0 ? high : low;
        t.maintenance += pnlDown(p.size, p.entry, better) - fee;
        t.maintenanceMargin += _abs(p.size).mulWadUp(better).mulBpsUp(p.maintenanceMarginBps);
        // Initial and stress: the price worse for the account; unrealized profit does not count.
        uint256 worse = p.size > 0 ? low : high;
        int256 upnl = pnlDown(p.size, p.entry, worse) - fee;
        if (upnl < 0) t.initial += upnl;
        uint256 notional = _abs(p.size).mulWadUp(worse);
        t.initialMargin += notional.mulBpsUp(p.initialMarginBps);
        t.stressLoss += notional.mulBpsUp(p.stressShockBps);
    }

    /// @notice Health from the totals plus the cash: `credit` and `debt` in settlement units.
    function finish(Totals memory t, uint256 credit, uint256 debt, uint8 decimals, uint256 low, uint256 high)
        internal
        pure
        returns (IMarginEngine.Health memory h)
    {
        h.maintenanceEquity = t.maintenance + cashMaintenance(credit, debt, decimals, low, high);
        h.initialEquity = t.initial + int256(credit.toValueDown(low, decimals)) - int256(debt.toValueUp(high, decimals));
        h.maintenanceMargin = t.maintenanceMargin;
        h.initialMargin = t.initialMargin;
        h.stressEquity = h.initialEquity - int256(t.stressLoss);
        h.liquidatable =
            t.maintenanceMargin != 0 ? h.maintenanceEquity < int256(t.maintenanceMargin) : h.maintenanceEquity < 0;
    }

    /// @notice A position's part of the maintenance equity and its maintenance margin, exactly as `addPosition` adds
    /// them, at `better`: the liquidation price better for the account (the higher for a long, the lower for a short).
    function maintenanceOf(
        int256 size,
        uint256 entry,
        uint256 entryIndex,
        uint256 maintenanceMarginBps,
        uint256 index,
        uint256 better
    ) internal pure returns (int256 equity, uint256 margin) {
        if (size == 0) return (0, 0);
        equity = pnlDown(size, entry, better) - int256(borrowFee(size, entry, entryIndex, index));
        margin = _abs(size).mulWadUp(better).mulBpsUp(maintenanceMarginBps);
    }

    /// @notice Cash's part of the maintenance equity, exactly as `finish` adds it: credit at the higher settlement
    /// price, debt at the lower.
    function cashMaintenance(uint256 credit, uint256 debt, uint8 decimals, uint256 low, uint256 high)
        internal
        pure
        returns (int256)
    {
        return int256(credit.toValueDown(high, decimals)) - int256(debt.toValueUp(low, decimals));
    }

    // ---------------------------------------------------------------- trades

    /// @notice size * (price - entry), rounded toward minus infinity (against the trader).
    function pnlDown(int256 size, uint256 entry, uint256 price) internal pure returns (int256) {
        bool gain = (size > 0) == (price >= entry);
        uint256 magnitude = gain
            ? _abs(size).mulWadDown(FixedPointMath.absDiff(price, entry))
            : _abs(size).mulWadUp(FixedPointMath.absDiff(price, entry));
        return gain ? int256(magnitude) : -int256(magnitude);
    }

    /// @notice Borrow fee a position owes since `entryIndex`: notional * (index / entryIndex - 1), rounded up.
    function borrowFee(int256 size, uint256 entry, uint256 entryIndex, uint256 index) internal pure returns (uint256) {
        if (size == 0 || index <= entryIndex) return 0;
        return notionalOf(size, entry).mulDivUp(index - entryIndex, entryIndex);
    }

    function notionalOf(int256 size, uint256 entry) internal pure returns (uint256) {
        return _abs(size).mulWadUp(entry);
    }

    /// @notice Apply `delta` at `price` to a position: returns the PnL realized on the closed part, the new size and
    /// the new entry (size-weighted on increases, rounded against the trader; the price itself on a flip).
    function applyTrade(int256 size, uint256 entry, int256 delta, uint256 price)
        internal
        pure
        returns (int256 realized, int256 sizeAfter, int256 entryAfter)
    {
        sizeAfter = size + delta;
        if (size == 0 || (size > 0) == (delta > 0)) {
            uint256 total = _abs(size) * entry + _abs(delta) * price;
            uint256 denominator = _abs(sizeAfter);
            // A long pays a higher average entry, a short gets a lower one.
            uint256 average = sizeAfter > 0 ? FixedPointMath.mulDivUp(total, 1, denominator) : total / denominator;
            return (0, sizeAfter, int256(average));
        }
        uint256 closing = _abs(delta) < _abs(size) ? _abs(delta) : _abs(size);
        realized = pnlDown(size > 0 ? int256(closing) : -int256(closing), entry, price);
        if (sizeAfter == 0) return (realized, 0, 0);
        entryAfter = (sizeAfter > 0) == (size > 0) ? int256(entry) : int256(price);
    }

    // ---------------------------------------------------------------- market aggregates

    function addToMarket(MarketState memory s, int256 size, uint256 entry, uint256 index) internal pure {
        if (size == 0) return;
        uint256 notional = notionalOf(size, entry);
        if (size > 0) {
            s.longSize += uint128(uint256(size));
            s.longEntryNotional += uint128(notional);
        } else {
            s.shortSize += uint128(uint256(-size));
            s.shortEntryNotional += uint128(notional);
        }
        s.feeBase += uint128(notional);
        s.feeScaled += uint128(notional.mulDivDown(WAD, index));
    }

    function removeFromMarket(MarketState memory s, int256 size, uint256 entry, uint256 entryIndex) internal pure {
        if (size == 0) return;
        uint256 notional = notionalOf(size, entry);
        if (size > 0) {
            s.longSize -= uint128(uint256(size));
            s.longEntryNotional -= uint128(notional);
        } else {
            s.shortSize -= uint128(uint256(-size));
            s.shortEntryNotional -= uint128(notional);
        }
        s.feeBase -= uint128(notional);
        s.feeScaled -= uint128(notional.mulDivDown(WAD, entryIndex));
    }

    /// @notice Traders' net PnL in a market (net of accrued borrow fees, rounded down) at `low` and at `high`.
    function marketPnl(MarketState memory s, uint256 low, uint256 high, uint256 index)
        internal
        pure
        returns (int256 atLow, int256 atHigh)
    {
        uint256 accrued = uint256(s.feeScaled).mulWadDown(index);
        int256 fees = accrued > s.feeBase ? int256(accrued - s.feeBase) : int256(0);
        int256 entries = int256(uint256(s.shortEntryNotional)) - int256(uint256(s.longEntryNotional)) - fees;
        atLow = int256(uint256(s.longSize).mulWadDown(low)) - int256(uint256(s.shortSize).mulWadUp(low)) + entries;
        atHigh = int256(uint256(s.longSize).mulWadDown(high)) - int256(uint256(s.shortSize).mulWadUp(high)) + entries;
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x < 0 ? uint256(-x) : uint256(x);
    }
}
