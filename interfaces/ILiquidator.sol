// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";

/// @title ILiquidator
/// @notice Permissionless liquidation of unhealthy MarginEngine accounts and the loss waterfall
/// (docs/design.md#liveness, docs/design.md#liquidation-and-the-loss-waterfall): partial close at the oracle
/// liquidation price, a penalty on the closed notional split between the keeper and the InsuranceFund, absorption of
/// collateral and debt into the Pool, then InsuranceFund cover, then socialization. The keeper needs no capital and no
/// one else's liquidity: its reward is paid out of the liquidated account (its credit, else its collateral), never
/// through a Pool loan, into the keeper's own engine account (no token moves to the keeper, so no code of the keeper
/// runs inside a liquidation; the keeper withdraws it with the engine's `withdraw`), and only out of what the account
/// is still worth: an insolvent account pays no penalty and no reward, so no owner can profit by liquidating itself at
/// the InsuranceFund's or LPs' expense. The penalty grows as health falls: `penaltyBps` at the maintenance threshold,
/// rising linearly to `maxPenaltyBps` at zero maintenance equity, so keepers are paid most where delay costs most. An
/// account with no positions whose collateral is worth more than its debt at the Pool's book prices keeps the surplus:
/// collateral worth its debt goes to the Pool, the penalty (`penaltyBps` of the debt) is paid from the rest, and the
/// remainder stays the account's. A liquidation never takes more than the debt it settles plus the penalty.
interface ILiquidator is IErrors {
    /// @notice Governed liquidation parameters.
    /// @param closeFactorBps Share of every position closed by one liquidation.
    /// @param criticalHealthBps Below maintenance equity / MM of this (bps), positions close in full.
    /// @param penaltyBps Penalty on the closed notional at the maintenance threshold, and on the debt an absorb repays
    /// from collateral.
    /// @param maxPenaltyBps Penalty on the closed notional at zero (or negative) maintenance equity; between the two
    /// the penalty is linear in (MM - equity) / MM. Must stay below every market's maintenance fraction, so
    /// liquidating never creates bad debt through the penalty.
    /// @param keeperShareBps Share of the penalty the keeper gets on top of the minimum reward.
    /// @param minKeeperReward Minimum keeper reward, settlement units (never more than the penalty).
    /// @param dustMarginUsd Below this maintenance margin (WAD USD) the account's positions close in full. (uint112:
    /// the parameters fill one storage slot, which every liquidation reads.)
    struct Params {
        uint16 closeFactorBps;
        uint16 criticalHealthBps;
        uint16 penaltyBps;
        uint16 maxPenaltyBps;
        uint16 keeperShareBps;
        uint64 minKeeperReward;
        uint112 dustMarginUsd;
    }

    /// @notice The account is not liquidatable: maintenance equity `equity` vs margin `margin`.
    error NotLiquidatable(address account, int256 equity, uint256 margin);
    /// @notice A batch ran out of gas in `account`'s liquidation, which had at most 63/64 of `gasLeft`: the whole
    /// batch reverts (send it again with more gas) rather than skip the account.
    error BatchOutOfGas(address account, uint256 gasLeft);

    event ParamsSet(Params params);
    /// @notice `account` was liquidated by `keeper`: `fractionBps` of its positions closed (`closedNotional` USD; 0 and
    /// 0 for an account with no positions), `penalty` settlement units (or their worth in collateral) charged, capped
    /// at what the account is still worth, `keeperReward` of them to the keeper.
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
    event Absorbed(
        address indexed account, uint256 debt, uint256 collateralValue, uint256 deficit, uint256 insuranceCovered
    );
    /// @notice A batch skipped `account` (healthy, or its prices not usable for a liquidation).
    event Skipped(address indexed account);
    /// @notice A batch skipped `account` because its liquidation (its health read included) reverted with `reason`,
    /// other than a price it needs being unavailable (`Skipped`); nothing of it changed, and the rest of the batch
    /// went on.
    event LiquidationFailed(address indexed account, bytes reason);

    /// @notice Liquidate `account`; reverts `NotLiquidatable` if it is healthy.
    function liquidate(address account) external;

    /// @notice Liquidate every liquidatable account of `accounts`: each in a call frame of its own, so that an account
    /// whose liquidation reverts is skipped with `LiquidationFailed` and the others go through; healthy or unpriced
    /// accounts are skipped with `Skipped`. Never reverts for one account, except for running out of gas in one
    /// (`BatchOutOfGas`: the transaction's gas limit was too small).
    /// @return liquidated How many were liquidated.
    function liquidateMany(address[] calldata accounts) external returns (uint256 liquidated);

    /// @notice One account of a `liquidateMany` batch, liquidated for `keeper` if it is liquidatable. Only the
    /// Liquidator itself may call it.
    /// @return liquidated False for a healthy account (nothing changed).
    function liquidateInBatch(address account, address keeper) external returns (bool liquidated);

    function setParams(Params calldata params) external;

    function params() external view returns (Params memory);

    /// @notice The largest liquidation penalty in bps, `maxPenaltyBps` (the MarginEngine keeps every maintenance
    /// fraction above it).
    function penaltyBps() external view returns (uint256);
}
