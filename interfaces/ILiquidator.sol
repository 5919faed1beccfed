// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title ILiquidator
/// @notice Permissionless liquidation of unhealthy MarginEngine accounts and the loss waterfall (DESIGN section 6):
/// partial close at the oracle liquidation price, a penalty on the closed notional split between the keeper and the
/// InsuranceFund, absorption of collateral and debt into the Pool, then InsuranceFund cover, then socialization.
/// The keeper needs no capital: its reward is paid out of the liquidated account, and only out of what the account is
/// still worth after the close (its maintenance equity): an insolvent account pays no penalty and no reward, so no
/// owner can profit by liquidating itself at the InsuranceFund's or LPs' expense.
interface ILiquidator {
    /// @notice Governed liquidation parameters.
    /// @param closeFactorBps Share of every position closed by one liquidation.
    /// @param criticalHealthBps Below maintenance equity / MM of this (bps), positions close in full.
    /// @param penaltyBps Penalty on the closed notional; must stay below every market's maintenance fraction, so
    /// liquidating at the threshold cannot create bad debt.
    /// @param keeperShareBps Share of the penalty the keeper gets on top of the minimum reward.
    /// @param minKeeperReward Minimum keeper reward, settlement units (never more than the penalty).
    /// @param dustMarginUsd Below this maintenance margin (WAD USD) the account's positions close in full.
    struct Params {
        uint16 closeFactorBps;
        uint16 criticalHealthBps;
        uint16 penaltyBps;
        uint16 keeperShareBps;
        uint64 minKeeperReward;
        uint128 dustMarginUsd;
    }

    /// @notice The account is not liquidatable: maintenance equity `equity` vs margin `margin`.
    error NotLiquidatable(address account, int256 equity, uint256 margin);
    error ParamOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    event ParamsSet(Params params);
    /// @notice `account` was liquidated by `keeper`: `fractionBps` of its positions closed (`closedNotional` USD),
    /// `penalty` settlement units charged (capped at the account's maintenance equity after the close), `keeperReward`
    /// of them to the keeper.
    event Liquidated(
        address indexed account,
        address indexed keeper,
        uint256 fractionBps,
        uint256 closedNotional,
        uint256 penalty,
        uint256 keeperReward
    );
    /// @notice `account`'s collateral and debt went to the Pool; `deficit` settlement units were not covered by the
    /// collateral, `insuranceCovered` of them by the InsuranceFund, the rest socialized to LPs.
    event Absorbed(address indexed account, uint256 debt, uint256 collateralValue, uint256 deficit, uint256 insuranceCovered);
    /// @notice A batch skipped `account` (healthy, or its prices not usable for a liquidation).
    event Skipped(address indexed account);

    /// @notice Liquidate `account`; reverts `NotLiquidatable` if it is healthy.
    function liquidate(address account) external;

    /// @notice Liquidate every liquidatable account of `accounts`, skipping the others without reverting.
    /// @return liquidated How many were liquidated.
    function liquidateMany(address[] calldata accounts) external returns (uint256 liquidated);

    function setParams(Params calldata params) external;

    function params() external view returns (Params memory);

    /// @notice The liquidation penalty in bps (the MarginEngine keeps every maintenance fraction above it).
    function penaltyBps() external view returns (uint256);
}
