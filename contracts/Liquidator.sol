// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPool} from "../interfaces/IPool.sol";
import {IProtocolLock} from "../interfaces/IProtocolLock.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";

/// @title Liquidator
/// @notice Permissionless liquidations and the loss waterfall.
contract Liquidator is ILiquidator, AccessControl, ProtocolGuarded {
    using FixedPointMath for uint256;
    using SafeERC20 for IERC20;

    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");

    /// @dev Settlement units of equity held back from the penalty: a charge that becomes debt is rounded up twice
    /// (to scaled debt, then back to units), and the maintenance equity values debt at the lower settlement price,
    /// credit at the higher. Two units keep the equity after the charge at or above zero.
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
        _liquidate(account, h);
    }

    /// @inheritdoc ILiquidator
    function liquidateMany(address[] calldata accounts) external guarded returns (uint256 liquidated) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            // A healthy account, or one whose prices are stale or frozen, is skipped, never a revert.
            try engine.liquidationHealth(accounts[i]) returns (IMarginEngine.Health memory h) {
                if (h.liquidatable) {
                    _liquidate(accounts[i], h);
                    ++liquidated;
                    continue;
                }
            } catch {}
            emit Skipped(accounts[i]);
        }
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
        return _params.penaltyBps;
    }

    // ---------------------------------------------------------------- internals

    function _liquidate(address account, IMarginEngine.Health memory h) private {
        Params memory p = _params;
        uint256 fraction = p.closeFactorBps;
        (int256 equity, uint256 margin) = (h.maintenanceEquity, h.maintenanceMargin);
        uint256 closed;
        uint256 penalty;
        uint256 reward;
        if (margin != 0) {
            bool critical = equity < int256(margin.mulBpsDown(p.criticalHealthBps));
            if (critical || margin < p.dustMarginUsd) fraction = FixedPointMath.BPS;
            // The maintenance equity and margin after the close, as `liquidationHealth` would return them.
            (closed, equity, margin) = engine.closeForLiquidation(account, fraction, equity);
            (penalty, reward) = _penalty(closed, equity, p);
            if (penalty != 0) engine.chargePenalty(account, msg.sender, reward, penalty - reward);
        }
        emit Liquidated(account, msg.sender, fraction, closed, penalty, reward);
        // No positions left and the collateral (after haircuts) no longer covers the debt: absorb. The charges
        // above never turn a non-negative maintenance equity negative (see `_penalty`), so the health after the
        // close still decides.
        if (margin == 0 && equity < 0) _absorb(account);
    }

    /// @dev The penalty on the closed notional, paid out of what the account is still worth after the close: its
    /// maintenance equity (collateral after haircuts), less `CHARGE_ROUNDING_UNITS` for the rounding of the charge.
    /// A penalty beyond that would be lent to the account by the Pool and written off at absorb: the InsuranceFund
    /// and LPs would pay the keeper, and the owner of an insolvent account would profit by liquidating itself. So
    /// an account worth nothing pays no penalty and its keeper gets no reward (as in Compound III's `absorb`).
    /// The keeper's reward is a minimum plus a share, never more than the penalty.
    function _penalty(uint256 closedNotional, int256 equityUsd, Params memory p)
        private
        view
        returns (uint256 penalty, uint256 reward)
    {
        penalty = _toSettlementUp(closedNotional.mulBpsUp(p.penaltyBps));
        uint256 affordable = equityUsd > 0 ? _toSettlementDown(uint256(equityUsd)) : 0;
        affordable = affordable > CHARGE_ROUNDING_UNITS ? affordable - CHARGE_ROUNDING_UNITS : 0;
        if (penalty > affordable) penalty = affordable;
        reward = p.minKeeperReward + penalty.mulBpsDown(p.keeperShareBps);
        if (reward > penalty) reward = penalty; // self-liquidation can never pay
    }

    /// @dev Collateral and debt go to the Pool; the InsuranceFund covers what the collateral does not, then LPs.
    function _absorb(address account) private {
        (address[] memory assets, uint256[] memory amounts) = engine.seizeAllCollateral(account);
        // Value and absorb what arrived: a fee-on-transfer token delivers less than the engine sent. (The Liquidator
        // holds no collateral between liquidations; anything else of the token here joins the reserves too.)
        for (uint256 i = 0; i < assets.length; ++i) {
            amounts[i] = IERC20(assets[i]).balanceOf(address(this));
        }
        uint256 scaledDebt = engine.writeOffDebt(account);
        uint256 index = pool.borrowIndex();
        uint256 debt = scaledDebt.mulWadUp(index);
        // The seized collateral is valued as the Pool books it, at the lower price: the account keeps nothing either
        // way, and a valuation above the Pool's would leave the difference as an LP loss nobody covers or reports.
        uint256 collateralUsd;
        for (uint256 i = 0; i < assets.length; ++i) {
            (uint256 low,) = oracle.priceBounds(assets[i], IOracleAggregator.Action.Liquidate);
            collateralUsd += amounts[i].toValueDown(low, IERC20Metadata(assets[i]).decimals());
        }
        uint256 collateralValue = _toSettlementDown(collateralUsd);
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
            uint256 scaledSocial = assets.length == 0
                ? scaledLeft
                : (deficit - covered).mulDivUp(FixedPointMath.WAD, index);
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
        for (uint256 i = 0; i < assets.length; ++i) {
            IERC20(assets[i]).forceApprove(address(pool), amounts[i]);
            pool.absorb(assets[i], amounts[i], i == assets.length - 1 ? scaledLeft : 0);
        }
        emit Absorbed(account, debt, collateralValue, deficit, covered);
    }

    function _toSettlementUp(uint256 usd) private view returns (uint256) {
        IOracleAggregator.PriceData memory d = oracle.getPriceData(settlementAsset);
        uint256 low = d.median < d.twap ? d.median : d.twap;
        return usd.toAmountUp(low, _settlementDecimals);
    }

    function _toSettlementDown(uint256 usd) private view returns (uint256) {
        IOracleAggregator.PriceData memory d = oracle.getPriceData(settlementAsset);
        uint256 high = d.median > d.twap ? d.median : d.twap;
        return usd.toAmountDown(high, _settlementDecimals);
    }

    /// @dev Liquidating at the threshold must not create bad debt: the penalty must stay below every market's
    /// maintenance fraction. The keeper's reward never exceeds the penalty (enforced when paid).
    function _checkParams(Params memory p, bool checkMarkets) private view {
        _bounded("closeFactorBps", p.closeFactorBps, 1_000, FixedPointMath.BPS);
        _bounded("criticalHealthBps", p.criticalHealthBps, 0, FixedPointMath.BPS);
        _bounded("penaltyBps", p.penaltyBps, 0, 1_000);
        _bounded("keeperShareBps", p.keeperShareBps, 0, FixedPointMath.BPS);
        if (!checkMarkets) return;
        uint256 n = engine.marketCount();
        for (uint256 m = 0; m < n; ++m) {
            uint256 mmf = engine.marketParams(m).mmfBps;
            if (p.penaltyBps >= mmf) revert ParamOutOfBounds("penaltyBps", p.penaltyBps, 0, mmf - 1);
        }
    }

    function _bounded(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParamOutOfBounds(name, value, min, max);
    }
}
