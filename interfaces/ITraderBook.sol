// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title ITraderBook
/// @notice What the Pool needs to know about traders' positions to value itself; implemented by the MarginEngine
/// from per-market aggregates, so a call is O(markets), never O(accounts).
interface ITraderBook {
    /// @notice Traders' net unrealized PnL in USD (WAD) across all markets, net of the borrow fees accrued on open
    /// interest (which traders owe), at the two ends of each market's {median, TWAP} price range, and the USD of
    /// pool liquidity reserved for open positions.
    /// @param enforceRiskStatus When true, revert unless every market price is `Ok` (the status LP actions need).
    /// @return pnlLow The lowest net PnL over those prices (best case for LPs).
    /// @return pnlHigh The highest net PnL over those prices (worst case for LPs).
    /// @return reservedUsd Liquidity reserved for open positions.
    function poolExposure(bool enforceRiskStatus)
        external
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd);
}
