// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title ITraderBook
/// @notice What the Pool needs to know about traders' positions to value itself; implemented by the MarginEngine
/// from per-market aggregates, so a call is O(markets), never O(accounts).
interface ITraderBook {
    /// @notice Traders' net unrealized PnL in USD (WAD) across all markets, net of the borrow fees accrued on open
    /// interest (which traders owe), at the two ends of each market's {median, TWAP} price range, the USD of pool
    /// liquidity reserved for what open positions can be owed, and the provision for accounts with negative
    /// maintenance equity.
    /// @param enforceRiskStatus When true, revert unless every market price may value the Pool (`Ok`, or a wound-down
    /// asset's fixed price: the status LP actions need).
    /// @return pnlLow The lowest net PnL over those prices (best case for LPs).
    /// @return pnlHigh The highest net PnL over those prices (worst case for LPs).
    /// @return reservedUsd Liquidity reserved for open positions: a long's size at the upper price, a short's entry
    /// notional (the most it can gain), each times its market's reserve factor.
    /// @return provisionUsd The sum of the recorded shortfalls (minus maintenance equity) of accounts whose maintenance
    /// equity is negative: a loss the lower NAV counts before the accounts are liquidated.
    function poolExposure(bool enforceRiskStatus)
        external
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd, uint256 provisionUsd);
}
