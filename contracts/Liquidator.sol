// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPool} from "../interfaces/IPool.sol";
import {IProtocolLock} from "../interfaces/IProtocolLock.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {Roles} from "./base/Roles.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";
import {PriceRange} from "./libraries/PriceRange.sol";

/// @title Liquidator
/// @notice Permissionless liquidations and the loss waterfall.
contract Liquidator is ILiquidator, Roles, ProtocolGuarded {
    using FixedPointMath for uint256;
    using SafeERC20 for IERC20;
    using PriceRange for PriceRange.Range;

    /// @dev Settlement units of equity held back from the penalty: a charge paid from credit or collateral is rounded
    /// (to units, then back to USD), and the maintenance equity values credit at the higher settlement price. Two units
    /// keep the equity after the charge at or above zero.
    uint256 private constant CHARGE_ROUNDING_UNITS = 2;

    IMarginEngine public immutable engine;
    IPool public immutable pool;
    IInsuranceFund public immutable insuranceFund;
    IOracleAggregator public immutable oracle;
    address public immutable settlementAsset;
    uint8 private immutable _settlementDecimals;

    Params private _params;

    struct Wiring {
        IProtocolLock lock;
        IMarginEngine engine;
        IPool pool;
        IInsuranceFund insuranceFund;
        IOracleAggregator oracle;
        address settlementAsset;
        address admin;
        address riskManager;
    }

    /// @dev What one liquidation charged: the penalty (settlement units or their worth) and the keeper's part of it.
    struct Charged {
        uint256 penalty;
        uint256 reward;
    }

    constructor(Wiring memory w, Params memory params_) ProtocolGuarded(w.lock) {
        (engine, pool, insuranceFund, oracle) = (w.engine, w.pool, w.insuranceFund, w.oracle);
        settlementAsset = w.settlementAsset;
        _settlementDecimals = IERC20Metadata(w.settlementAsset).decimals();
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _checkParams(params_, false);
        _params = params_;
        emit ParamsSet(params_);
    }

    /// @inheritdoc ILiquidator
    function liquidate(address account) external guarded {
        IMarginEngine.Health memory h = engine.liquidationHealth(account);
        if (!h.liquidatable) revert NotLiquidatable(account, h.maintenanceEquity, h.maintenanceMargin);
        _liquidate(account, msg.sender, h);
    }

    /// @inheritdoc ILiquidator
    function liquidateMany(address[] calldata accounts) external guarded returns (uint256 liquidated) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            // A healthy account, or one whose prices are stale, is skipped, never a revert.
            try engine.liquidationHealth(account) returns (IMarginEngine.Health memory h) {
                if (h.liquidatable) {
                    // Its own call frame: a liquidation that reverts undoes that account only
                    // (docs/design.md#liveness).
                    try this.liquidateInBatch(account, msg.sender, h) {
                        ++liquidated;
                    } catch (bytes memory reason) {
                        emit LiquidationFailed(account, reason);
                    }
                    continue;
                }
            } catch {}
            emit Skipped(account);
        }
    }

    /// @inheritdoc ILiquidator
    function liquidateInBatch(address account, address keeper, IMarginEngineTypes.Health calldata h) external {
        // The batch holds the shared lock; only it may enter here.
        if (msg.sender != address(this)) revert Unauthorized(msg.sender);
        _liquidate(account, keeper, h);
    }

    /// @inheritdoc ILiquidator
    function setParams(Params calldata params_) external onlyRole(RISK_MANAGER_ROLE) {
        _checkParams(params_, true);
        _params = params_;
        emit ParamsSet(params_);
    }

    /// @inheritdoc ILiquidator
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @inheritdoc ILiquidator
    function penaltyBps() external view returns (uint256) {
        return _params.maxPenaltyBps;
    }

    // ---------------------------------------------------------------- internals

    function _liquidate(address account, address keeper, IMarginEngine.Health memory h) private {
        Params memory p = _params;
        // One read of the settlement price serves the penalty, the charge and an absorb. Each account of a batch reads
        // it afresh: a keeper's token hook may update the oracle between two accounts, and a penalty priced at an
        // older settlement price than the engine's health could exceed what the account is still worth.
        PriceRange.Range memory s = _settlement();
        (int256 equity, uint256 margin) = (h.maintenanceEquity, h.maintenanceMargin);
        uint256 fraction;
        uint256 closed;
        Charged memory charged;
        if (margin != 0) {
            uint256 bps = _penaltyBps(equity, margin, p);
            bool critical = equity < int256(margin.mulBpsDown(p.criticalHealthBps));
            fraction = critical || margin < p.dustMarginUsd ? FixedPointMath.BPS : p.closeFactorBps;
            // The maintenance equity and margin after the close, as `liquidationHealth` would return them.
            (closed, equity, margin) = engine.closeForLiquidation(account, fraction, equity);
            charged = _charge(account, keeper, closed.mulBpsUp(bps), equity, p, s);
        }
        // No positions left and the collateral (after haircuts) no longer covers the debt: absorb. The charge above
        // never turns a non-negative maintenance equity negative (see `_charge`), so the health after the close still
        // decides.
        if (margin == 0 && equity < 0) {
            Charged memory absorbed = _absorb(account, keeper, p, s);
            (charged.penalty, charged.reward) = (charged.penalty + absorbed.penalty, charged.reward + absorbed.reward);
        }
        emit Liquidated(account, keeper, fraction, closed, charged.penalty, charged.reward);
    }

    /// @dev The penalty rate on the closed notional: `penaltyBps` at the maintenance threshold (equity = MM), rising
    /// linearly with the shortfall (MM - equity) / MM to `maxPenaltyBps` at zero equity or below.
    function _penaltyBps(int256 equity, uint256 margin, Params memory p) private pure returns (uint256) {
        uint256 shortfall = equity <= 0 ? margin : equity >= int256(margin) ? 0 : margin - uint256(equity);
        return p.penaltyBps + (uint256(p.maxPenaltyBps) - p.penaltyBps).mulDivDown(shortfall, margin);
    }

    /// @dev The penalty of `penaltyUsd`, paid out of what the account is still worth: `worthUsd` (its maintenance
    /// equity after the close, or its surplus collateral on an absorb), less `CHARGE_ROUNDING_UNITS`. A penalty beyond
    /// that would come out of the InsuranceFund and LPs at absorb, and the owner of an insolvent account would profit
    /// by liquidating itself; so an account worth nothing pays no penalty and its keeper gets no reward (as in
    /// Compound III's `absorb`). The keeper's reward is a minimum plus a share, never more than the penalty. In
    /// settlement units: the penalty up at the lower settlement price, the cap down at the higher (`PriceRange`).
    function _penaltyOf(uint256 penaltyUsd, int256 worthUsd, Params memory p, PriceRange.Range memory s)
        private
        view
        returns (Charged memory c)
    {
        c.penalty = s.unitsUp(penaltyUsd, _settlementDecimals);
        uint256 affordable = worthUsd > 0 ? s.unitsDown(uint256(worthUsd), _settlementDecimals) : 0;
        affordable = affordable > CHARGE_ROUNDING_UNITS ? affordable - CHARGE_ROUNDING_UNITS : 0;
        if (c.penalty > affordable) c.penalty = affordable;
        if (c.penalty == 0) return c;
        c.reward = p.minKeeperReward + c.penalty.mulBpsDown(p.keeperShareBps);
        if (c.reward > c.penalty) c.reward = c.penalty; // self-liquidation can never pay
    }

    /// @dev Charge the penalty of a close: the engine takes it from credit, then the keeper's part in collateral and
    /// the fund's part as debt to the Pool (never a Pool loan), and reports what it took.
    function _charge(
        address account,
        address keeper,
        uint256 penaltyUsd,
        int256 worthUsd,
        Params memory p,
        PriceRange.Range memory s
    ) private returns (Charged memory c) {
        c = _penaltyOf(penaltyUsd, worthUsd, p, s);
        if (c.penalty == 0) return c;
        uint256 share;
        (c.reward, share) = engine.chargePenalty(account, keeper, c.reward, c.penalty - c.reward, s);
        c.penalty = c.reward + share;
    }

    /// @dev Settle an account with no positions whose maintenance equity is negative. Its debt is written off against
    /// collateral moved straight from the engine into the Pool, valued at the lower price as the Pool books it. If the
    /// collateral is worth more than the debt, only the debt's worth moves, with the fund's share of the penalty
    /// (`penaltyBps` of the debt) paid from the surplus in the same move, the keeper's reward in collateral, and the
    /// rest stays the account's (docs/design.md#liveness: take no more than is owed). Otherwise all of it moves and the
    /// deficit goes to the InsuranceFund, then to LPs.
    function _absorb(address account, address keeper, Params memory p, PriceRange.Range memory s)
        private
        returns (Charged memory c)
    {
        uint256 scaledDebt = engine.writeOffDebt(account);
        uint256 index = pool.borrowIndex();
        uint256 debtUsd = s.usdUp(scaledDebt.mulWadUp(index), _settlementDecimals);
        uint256 collateralUsd = engine.collateralValue(account);
        if (collateralUsd <= debtUsd) {
            _settleDebt(account, scaledDebt, index, engine.absorbCollateral(account, type(uint256).max), s);
            return c;
        }
        c = _penaltyOf(debtUsd.mulBpsUp(p.penaltyBps), int256(collateralUsd - debtUsd), p, s);
        uint256 shareUsd = s.usdDown(c.penalty - c.reward, _settlementDecimals);
        uint256 movedUsd = engine.absorbCollateral(account, debtUsd + shareUsd);
        _settleDebt(account, scaledDebt, index, movedUsd < debtUsd ? movedUsd : debtUsd, s);
        uint256 share = movedUsd > debtUsd ? s.unitsDown(movedUsd - debtUsd, _settlementDecimals) : 0;
        if (share > c.penalty - c.reward) share = c.penalty - c.reward;
        if (c.reward != 0) c.reward = engine.payKeeperInCollateral(account, keeper, c.reward, s);
        c.penalty = c.reward + share;
    }

    /// @dev Cancel `scaledDebt` of written-off debt in the Pool, against collateral the Pool booked for `movedUsd`: the
    /// InsuranceFund covers what that collateral leaves of the debt, LPs bear the rest (all of it when no collateral
    /// moved), and the collateral pays the remainder.
    function _settleDebt(
        address account,
        uint256 scaledDebt,
        uint256 index,
        uint256 movedUsd,
        PriceRange.Range memory s
    ) private {
        uint256 debt = scaledDebt.mulWadUp(index);
        uint256 collateralValue = s.unitsDown(movedUsd, _settlementDecimals);
        uint256 deficit = debt > collateralValue ? debt - collateralValue : 0;
        uint256 covered;
        uint256 scaledLeft = scaledDebt;
        if (deficit != 0) {
            covered = deficit - insuranceFund.cover(deficit);
            uint256 scaledCovered = covered.mulDivDown(FixedPointMath.WAD, index);
            if (scaledCovered > scaledLeft) scaledCovered = scaledLeft;
            if (scaledCovered != 0) {
                IERC20(settlementAsset).forceApprove(address(pool), covered);
                pool.repay(scaledCovered);
                scaledLeft -= scaledCovered;
            }
            uint256 scaledSocial = movedUsd == 0 ? scaledLeft : (deficit - covered).mulDivUp(FixedPointMath.WAD, index);
            if (scaledSocial > scaledLeft) scaledSocial = scaledLeft;
            if (scaledSocial != 0) {
                pool.socializeDeficit(scaledSocial);
                scaledLeft -= scaledSocial;
            }
            // Rounding dust of the cover stays insured.
            uint256 dust = IERC20(settlementAsset).balanceOf(address(this));
            if (dust != 0) {
                IERC20(settlementAsset).forceApprove(address(insuranceFund), dust);
                insuranceFund.fund(dust, "rounding");
            }
        }
        // The rest of the debt was paid by the collateral the Pool just booked.
        if (scaledLeft != 0) pool.absorb(settlementAsset, 0, scaledLeft);
        emit Absorbed(account, debt, collateralValue, deficit, covered);
    }

    /// @dev The settlement asset's price range {median, TWAP}.
    function _settlement() private view returns (PriceRange.Range memory) {
        return PriceRange.fromData(oracle.getPriceData(settlementAsset));
    }

    /// @dev Liquidating must not create bad debt through the penalty: the largest penalty stays below every market's
    /// maintenance fraction in force (it only rises from there while a rise ramps). The keeper's reward never exceeds the penalty (enforced when paid).
    function _checkParams(Params memory p, bool checkMarkets) private view {
        ParamBounds.check("closeFactorBps", p.closeFactorBps, 1_000, FixedPointMath.BPS);
        ParamBounds.check("criticalHealthBps", p.criticalHealthBps, 0, FixedPointMath.BPS);
        ParamBounds.check("penaltyBps", p.penaltyBps, 0, 1_000);
        ParamBounds.check("maxPenaltyBps", p.maxPenaltyBps, p.penaltyBps, 1_000);
        ParamBounds.check("keeperShareBps", p.keeperShareBps, 0, FixedPointMath.BPS);
        if (!checkMarkets) return;
        uint256 n = engine.marketCount();
        for (uint256 m = 0; m < n; ++m) {
            // The value in force: a rise still ramping is below its target (a fall is in force at once).
            uint256 mmf = engine.marketRamp(m).currentBps;
            if (p.maxPenaltyBps >= mmf) {
                revert ParamOutOfBounds("maxPenaltyBps", p.maxPenaltyBps, p.penaltyBps, mmf - 1);
            }
        }
    }
}
