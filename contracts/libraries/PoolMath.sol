// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../interfaces/IPool.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/// @title PoolMath
/// @notice The Pool's pure formulas: weight-aware fees, the kinked rate model, LP share conversion.
library PoolMath {
    using FixedPointMath for uint256;

    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /// @notice Fee in basis points for an action that moves an asset's weight from `weightBefore` to
    /// `weightAfter` (both in bps of the pool's reserve value), under the asset's target, base fee and tax.
    /// @dev Toward the target the base fee is cut by `taxBps` scaled by how much closer to target the asset gets
    /// (never below zero); away from it the fee rises by `taxBps` scaled by the average distance from target,
    /// capped at the target itself. A zero target means every move away pays the full tax and every move toward
    /// it pays nothing.
    function weightFeeBps(uint256 weightBefore, uint256 weightAfter, IPool.AssetParams memory p)
        internal
        pure
        returns (uint256)
    {
        (uint256 targetBps, uint256 baseFeeBps, uint256 taxBps) = (p.targetWeightBps, p.baseFeeBps, p.taxFeeBps);
        uint256 diffBefore = weightBefore.absDiff(targetBps);
        uint256 diffAfter = weightAfter.absDiff(targetBps);
        if (diffAfter < diffBefore) {
            if (targetBps == 0) return 0;
            // The rebate grows with how much closer to target the action brings the asset, so overshooting the
            // target (a large move that barely shrinks the distance) earns almost none.
            uint256 rebate = taxBps * (diffBefore - diffAfter) / targetBps;
            return rebate >= baseFeeBps ? 0 : baseFeeBps - rebate;
        }
        if (targetBps == 0) return baseFeeBps + taxBps;
        uint256 averageDiff = (diffBefore + diffAfter) / 2;
        if (averageDiff > targetBps) averageDiff = targetBps;
        return baseFeeBps + FixedPointMath.mulDivUp(taxBps, averageDiff, targetBps);
    }

    /// @notice Share of `value` in `total`, in basis points (0 when the total is 0), rounded down.
    function weightBps(uint256 value, uint256 total) internal pure returns (uint256) {
        return total == 0 ? 0 : value * FixedPointMath.BPS / total;
    }

    /// @notice Borrow rate per second (WAD) at utilization `u` (WAD) for a kinked model whose annual rates and kink
    /// are in basis points.
    function ratePerSecond(uint256 u, uint256 baseBps, uint256 slope1Bps, uint256 kinkBps, uint256 slope2Bps)
        internal
        pure
        returns (uint256)
    {
        uint256 kink = kinkBps * 1e14;
        uint256 annual; // WAD per year
        if (u <= kink) {
            annual = baseBps * 1e14 + slope1Bps * u / kinkBps;
        } else {
            uint256 excess = u > FixedPointMath.WAD ? FixedPointMath.WAD - kink : u - kink;
            annual = (baseBps + slope1Bps) * 1e14 + slope2Bps * excess / (FixedPointMath.BPS - kinkBps);
        }
        return annual / SECONDS_PER_YEAR;
    }

    /// @notice LP shares minted for `value` USD at a NAV of `nav` with `supply` shares, rounded down.
    /// @dev Virtual shares and virtual value make the share price start at one USD per share and make a donation
    /// to a near-empty pool useless; the Pool also ignores tokens it did not book.
    function toSharesDown(uint256 value, uint256 nav, uint256 supply, uint256 virtualShares, uint256 virtualValue)
        internal
        pure
        returns (uint256)
    {
        return value.mulDivDown(supply + virtualShares, nav + virtualValue);
    }

    /// @notice USD value of `shares` at a NAV of `nav` with `supply` shares, rounded down.
    function toValueDown(uint256 shares, uint256 nav, uint256 supply, uint256 virtualShares, uint256 virtualValue)
        internal
        pure
        returns (uint256)
    {
        return shares.mulDivDown(nav + virtualValue, supply + virtualShares);
    }
}
