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
import {LiquidationMath} from "./libraries/LiquidationMath.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";
import {PriceRange} from "./libraries/PriceRange.sol";

/// @title Liquidator
/// @notice Permissionless liquidations and the loss waterfall.
contract Liquidator is ILiquidator, Roles, ProtocolGuarded {
    using FixedPointMath for uint256;
    using SafeERC20 for IERC20;
    using PriceRange for PriceRange.Range;

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
        Params memory p = _params;
        IMarginEngine.Liquidation memory l = engine.liquidateAccount(account, msg.sender, p);
        if (!l.liquidatable) revert NotLiquidatable(account, l.equity, l.margin);
        _finish(account, msg.sender, l, p);
    }

    /// @inheritdoc ILiquidator
    function liquidateMany(address[] calldata accounts) external guarded returns (uint256 liquidated) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            // Each account in its own call frame: a liquidation that reverts undoes that account only
            // (docs/design.md#liveness). A healthy account, or one whose prices are not usable, is skipped.
            uint256 gasBefore = gasleft();
            try this.liquidateInBatch(account, msg.sender) returns (bool done) {
                if (done) {
                    ++liquidated;
                    continue;
                }
            } catch (bytes memory reason) {
                // A frame that ran out of gas (at any depth: each call keeps 1/64 of its gas, so the frame leaves
                // about 2/64 of `gasBefore` at most) fails the whole batch: a gas limit too small for an account must
                // not mark it failed and let the transaction succeed, nor let a node's estimate settle on such a
                // limit. An empty revert that leaves more gas is the account's own failure.
                if (reason.length == 0 && gasleft() < gasBefore / 16) revert BatchOutOfGas(account, gasBefore);
                if (!_priceUnavailable(reason)) {
                    emit LiquidationFailed(account, reason);
                    continue;
                }
            }
            emit Skipped(account);
        }
    }

    /// @inheritdoc ILiquidator
    function liquidateInBatch(address account, address keeper) external returns (bool liquidated) {
        // The batch holds the shared lock; only it may enter here.
        if (msg.sender != address(this)) revert Unauthorized(msg.sender);
        Params memory p = _params;
        IMarginEngine.Liquidation memory l = engine.liquidateAccount(account, keeper, p);
        if (!l.liquidatable) return false;
        _finish(account, keeper, l, p);
        return true;
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

    /// @dev After the engine's close and charge: absorb an account left with no positions whose collateral (after
    /// haircuts) no longer covers its debt, and report. The charge never turns a non-negative maintenance equity
    /// negative (`LiquidationMath.penaltyOf`), so the health after the close still decides.
    function _finish(address account, address keeper, IMarginEngine.Liquidation memory l, Params memory p) private {
        (uint256 penalty, uint256 reward) = (l.penalty, l.keeperReward);
        if (l.margin == 0 && l.equity < 0) {
            LiquidationMath.Charge memory absorbed = _absorb(account, keeper, p, l.settlement);
            (penalty, reward) = (penalty + absorbed.penalty, reward + absorbed.reward);
        }
        emit Liquidated(account, keeper, l.fractionBps, l.closedNotional, penalty, reward);
    }

    /// @dev Whether a batch member's revert `reason` is the oracle's `PriceUnavailable`: a price its liquidation needs
    /// is not usable now (the health read reverts first), so it is skipped, not failed.
    function _priceUnavailable(bytes memory reason) private pure returns (bool) {
        return reason.length >= 4 && bytes4(reason) == IOracleAggregator.PriceUnavailable.selector;
    }

    /// @dev Settle an account with no positions whose maintenance equity is negative. Its debt is written off against
    /// collateral moved straight from the engine into the Pool, valued at the lower price as the Pool books it. If the
    /// collateral is worth more than the debt, only the debt's worth moves, with the fund's share of the penalty
    /// (`penaltyBps` of the debt) paid from the surplus in the same move, the keeper's reward in collateral, and the
    /// rest stays the account's (docs/design.md#liveness: take no more than is owed). Otherwise all of it moves and the
    /// deficit goes to the InsuranceFund, then to LPs.
    function _absorb(address account, address keeper, Params memory p, PriceRange.Range memory s)
        private
        returns (LiquidationMath.Charge memory c)
    {
        uint256 scaledDebt = engine.writeOffDebt(account);
        uint256 index = pool.borrowIndex();
        uint256 debtUsd = s.usdUp(scaledDebt.mulWadUp(index), _settlementDecimals);
        uint256 collateralUsd = engine.collateralValue(account);
        if (collateralUsd <= debtUsd) {
            _settleDebt(account, scaledDebt, index, engine.absorbCollateral(account, type(uint256).max), s);
            return c;
        }
        c = LiquidationMath.penaltyOf(
            debtUsd.mulBpsUp(p.penaltyBps), int256(collateralUsd - debtUsd), p, s, _settlementDecimals
        );
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
