// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../interfaces/ILiquidator.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {PriceRange} from "./PriceRange.sol";

/// @title LiquidationMath
/// @notice A liquidation's decisions from the Liquidator's parameters: how much of the positions closes, the penalty
/// rate, and the penalty and keeper's reward in settlement units, capped at what the account is still worth. The
/// MarginEngine applies them to a close, the Liquidator to an absorb.
library LiquidationMath {
    using FixedPointMath for uint256;
    using PriceRange for PriceRange.Range;

    /// @dev Settlement units of equity held back from the penalty: a charge paid from credit or collateral is rounded
    /// (to units, then back to USD), and the maintenance equity values credit at the higher settlement price. Two units
    /// keep the equity after the charge at or above zero.
    uint256 internal constant CHARGE_ROUNDING_UNITS = 2;

    /// @notice What a liquidation charges: the penalty (settlement units or their worth) and the keeper's part of it.
    struct Charge {
        uint256 penalty;
        uint256 reward;
    }

    /// @notice The share of every position a liquidation closes: all of it below `criticalHealthBps` of the margin or
    /// for a maintenance margin under `dustMarginUsd`, else `closeFactorBps`.
    function closeFraction(int256 equity, uint256 margin, ILiquidator.Params memory p) internal pure returns (uint256) {
        bool critical = equity < int256(margin.mulBpsDown(p.criticalHealthBps));
        return critical || margin < p.dustMarginUsd ? FixedPointMath.BPS : p.closeFactorBps;
    }

    /// @notice The penalty rate on the closed notional: `penaltyBps` at the maintenance threshold (equity = MM), rising
    /// linearly with the shortfall (MM - equity) / MM to `maxPenaltyBps` at zero equity or below.
    function penaltyBps(int256 equity, uint256 margin, ILiquidator.Params memory p) internal pure returns (uint256) {
        uint256 shortfall = equity <= 0 ? margin : equity >= int256(margin) ? 0 : margin - uint256(equity);
        return p.penaltyBps + (uint256(p.maxPenaltyBps) - p.penaltyBps).mulDivDown(shortfall, margin);
    }

    /// @notice The penalty of `penaltyUsd`, paid out of what the account is still worth: `worthUsd` (its maintenance
    /// equity after the close, or its surplus collateral on an absorb), less `CHARGE_ROUNDING_UNITS`. A penalty beyond
    /// that would come out of the InsuranceFund and LPs at absorb, and the owner of an insolvent account would profit
    /// by liquidating itself; so an account worth nothing pays no penalty and its keeper gets no reward (as in
    /// Compound III's `absorb`). The keeper's reward is a minimum plus a share, never more than the penalty. In
    /// settlement units (`decimals`): the penalty up at the lower settlement price, the cap down at the higher.
    function penaltyOf(
        uint256 penaltyUsd,
        int256 worthUsd,
        ILiquidator.Params memory p,
        PriceRange.Range memory settlement,
        uint8 decimals
    ) internal pure returns (Charge memory c) {
        c.penalty = settlement.unitsUp(penaltyUsd, decimals);
        uint256 affordable = worthUsd > 0 ? settlement.unitsDown(uint256(worthUsd), decimals) : 0;
        affordable = affordable > CHARGE_ROUNDING_UNITS ? affordable - CHARGE_ROUNDING_UNITS : 0;
        if (c.penalty > affordable) c.penalty = affordable;
        if (c.penalty == 0) return c;
        c.reward = p.minKeeperReward + c.penalty.mulBpsDown(p.keeperShareBps);
        if (c.reward > c.penalty) c.reward = c.penalty; // self-liquidation can never pay
    }
}
