// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPool} from "../interfaces/IPool.sol";
import {IProtocolLock} from "../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {AccountMath} from "./libraries/AccountMath.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";

/// @title MarginEngine
/// @notice Cross-margined perpetual accounts on multi-asset collateral; the Pool is the counterparty.
contract MarginEngine is IMarginEngine, AccessControl, ProtocolGuarded {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeCast for int256;
    using SafeERC20 for IERC20;

    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 internal constant MAX_COLLATERAL_LISTED = 16;
    uint256 internal constant MAX_MARKETS_LISTED = 16;
    /// @notice Caps that bound every health computation.
    uint256 internal constant MAX_COLLATERAL_PER_ACCOUNT = 8;
    uint256 internal constant MAX_MARKETS_PER_ACCOUNT = 8;
    /// @notice Largest change the risk manager may make to a maintenance parameter in one call (the timelock is
    /// bounded only by the absolute limits).
    uint256 internal constant MAX_RISK_STEP_BPS = 500;

    struct CollateralSlot {
        uint8 position;
        uint8 decimals;
        uint16 initialHaircutBps;
        uint16 maintHaircutBps;
        uint16 stressShockBps;
        uint128 supplyCap;
    }

    struct CashSlot {
        uint128 credit;
        uint128 scaledDebt;
    }

    struct MaskSlot {
        uint16 collateral;
        uint16 markets;
    }

    IOracleAggregator public immutable oracle;
    IPool public immutable pool;
    address public immutable liquidator;
    address public immutable insuranceFund;
    address public immutable settlementAsset;
    uint8 private immutable _settlementDecimals;

    address[] private _collateralList;
    mapping(address asset => CollateralSlot) private _collateral;
    mapping(address asset => uint256) public totalCollateral;
    MarketParams[] private _markets;
    AccountMath.MarketState[] private _marketStates;

    mapping(address account => CashSlot) private _cash;
    mapping(address account => MaskSlot) private _masks;
    mapping(address account => mapping(address asset => uint256)) private _balances;
    mapping(address account => mapping(uint256 market => Position)) private _positions;

    /// @notice Share of trading fees sent to the InsuranceFund, in bps; the rest goes to the Pool.
    uint256 public insuranceFeeShareBps;
    bool public newRiskPaused;

    struct Wiring {
        IProtocolLock lock;
        IOracleAggregator oracle;
        IPool pool;
        address liquidator;
        address insuranceFund;
        address admin;
        address riskManager;
        address guardian;
    }

    constructor(Wiring memory w, uint256 insuranceFeeShareBps_) ProtocolGuarded(w.lock) {
        oracle = w.oracle;
        pool = w.pool;
        liquidator = w.liquidator;
        insuranceFund = w.insuranceFund;
        settlementAsset = w.pool.settlementAsset();
        _settlementDecimals = IERC20Metadata(settlementAsset).decimals();
        _bounded("insuranceFeeShareBps", insuranceFeeShareBps_, 0, FixedPointMath.BPS);
        insuranceFeeShareBps = insuranceFeeShareBps_;
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _grantRole(GUARDIAN_ROLE, w.guardian);
        IERC20(settlementAsset).forceApprove(address(w.pool), type(uint256).max);
        IERC20(settlementAsset).forceApprove(w.insuranceFund, type(uint256).max);
    }

    modifier onlyLiquidator() {
        if (msg.sender != liquidator) revert Unauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- trader actions

    /// @inheritdoc IMarginEngine
    function deposit(address asset, uint256 amount, address account) external guarded {
        if (amount == 0) revert ZeroAmount();
        if (asset == settlementAsset) {
            _addCash(account, _pull(asset, amount), "deposit");
            return;
        }
        CollateralSlot memory c = _listedCollateral(asset);
        MaskSlot memory m = _masks[account];
        uint16 bit = uint16(1 << (c.position - 1));
        if (m.collateral & bit == 0) {
            // Strangers may top up what an account holds, never add assets to its list.
            if (msg.sender != account) revert NotAccountOwner(account, msg.sender);
            if (_popcount(m.collateral) == MAX_COLLATERAL_PER_ACCOUNT) {
                revert TooManyCollateralAssets(account, MAX_COLLATERAL_PER_ACCOUNT);
            }
            _masks[account].collateral = m.collateral | bit;
        }
        uint256 received = _pull(asset, amount);
        uint256 total = totalCollateral[asset] + received;
        if (total > c.supplyCap) revert SupplyCapExceeded(asset, total, c.supplyCap);
        totalCollateral[asset] = total;
        _balances[account][asset] += received;
        emit CollateralDeposited(account, asset, received, msg.sender);
    }

    /// @inheritdoc IMarginEngine
    function withdraw(address asset, uint256 amount, address to) external guarded {
        if (amount == 0) revert ZeroAmount();
        address account = msg.sender;
        if (asset == settlementAsset) {
            _payFromCash(account, amount, to, "withdraw");
        } else {
            CollateralSlot memory c = _listedCollateral(asset);
            uint256 balance = _balances[account][asset];
            if (amount > balance) revert InsufficientCollateral(asset, amount, balance);
            _balances[account][asset] = balance - amount;
            totalCollateral[asset] -= amount;
            if (balance == amount) _masks[account].collateral &= ~uint16(1 << (c.position - 1));
            IERC20(asset).safeTransfer(to, amount);
            emit CollateralWithdrawn(account, asset, amount, to);
        }
        // With no debt and no positions nothing can be owed: withdrawing needs no price.
        if (_masks[account].markets != 0 || _cash[account].scaledDebt != 0) {
            oracle.priceForRisk(asset, true); // the withdrawn asset's price must be Ok
            _requireInitialMargin(account);
        }
    }

    /// @inheritdoc IMarginEngine
    function modifyPosition(uint256 market, int256 sizeDelta, uint256 acceptablePrice) external guarded {
        if (sizeDelta == 0) revert ZeroAmount();
        MarketParams memory p = _listedMarket(market);
        address account = msg.sender;
        int256 before = _positions[account][market].size;
        int256 next = before + sizeDelta;
        bool addsRisk = _abs(next) > _abs(before) || (before != 0 && next != 0 && (before > 0) != (next > 0));
        if (addsRisk && newRiskPaused) revert NewRiskPaused();

        uint256 price = _executionPrice(p.asset, sizeDelta > 0, addsRisk);
        if (sizeDelta > 0 ? price > acceptablePrice : price < acceptablePrice) {
            revert SlippageExceeded(price, acceptablePrice);
        }
        uint256 minSize = p.minSize;
        if (next != 0 && _abs(next) < minSize) revert PositionTooSmall(market, _abs(next), minSize);

        (int256 realized, uint256 fee) = _trade(account, market, p, sizeDelta, price);
        emit PositionModified(account, market, sizeDelta, next, price, realized, fee);

        if (addsRisk) {
            _requireInitialMargin(account);
            pool.checkUtilization();
        } else if (next != 0) {
            // A partial reduce must leave the account healthy; a full close always goes through.
            Health memory h = _health(account, false);
            if (h.liquidatable) revert BelowMaintenance(h.maintenanceEquity, h.maintenanceMargin);
        }
    }

    // ---------------------------------------------------------------- liquidator entry points

    /// @inheritdoc IMarginEngine
    function closeForLiquidation(address account, uint256 fractionBps) external onlyLiquidator returns (uint256 closed) {
        uint16 mask = _masks[account].markets;
        for (uint256 market = 0; mask != 0; ++market) {
            if (mask & 1 != 0) {
                MarketParams memory p = _markets[market];
                int256 size = _positions[account][market].size;
                int256 delta = -size * int256(fractionBps) / int256(FixedPointMath.BPS);
                if (delta == 0 || _abs(size + delta) < p.minSize) delta = -size; // never leave dust
                // Closing a long sells: the better price for the account is the higher one, and vice versa.
                uint256 price = oracle.priceForLiquidation(p.asset, size > 0);
                (int256 realized,) = _tradeWithoutFee(account, market, delta, price);
                closed += _abs(delta).mulWadUp(price);
                emit PositionModified(account, market, delta, size + delta, price, realized, 0);
            }
            mask >>= 1;
        }
    }

    /// @inheritdoc IMarginEngine
    function chargeAccount(address account, uint256 amount, address to) external onlyLiquidator {
        _payFromCash(account, amount, to, "penalty");
    }

    /// @inheritdoc IMarginEngine
    function seizeAllCollateral(address account)
        external
        onlyLiquidator
        returns (address[] memory assets, uint256[] memory amounts)
    {
        uint16 mask = _masks[account].collateral;
        uint256 n = _popcount(mask);
        assets = new address[](n);
        amounts = new uint256[](n);
        uint256 k;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = _collateralList[i];
                uint256 amount = _balances[account][asset];
                _balances[account][asset] = 0;
                totalCollateral[asset] -= amount;
                (assets[k], amounts[k]) = (asset, amount);
                ++k;
                IERC20(asset).safeTransfer(msg.sender, amount);
                emit CollateralSeized(account, asset, amount, msg.sender);
            }
            mask >>= 1;
        }
        _masks[account].collateral = 0;
    }

    /// @inheritdoc IMarginEngine
    function writeOffDebt(address account) external onlyLiquidator returns (uint256 scaledDebt) {
        scaledDebt = _cash[account].scaledDebt;
        _cash[account].scaledDebt = 0;
        emit DebtWrittenOff(account, scaledDebt);
    }

    // ---------------------------------------------------------------- governance

    function listCollateral(address asset, CollateralParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (asset == settlementAsset || _collateral[asset].position != 0) revert CollateralAlreadyListed(asset);
        if (_collateralList.length == MAX_COLLATERAL_LISTED) {
            revert ParamOutOfBounds("collateralCount", MAX_COLLATERAL_LISTED + 1, 0, MAX_COLLATERAL_LISTED);
        }
        _checkCollateral(params);
        pool.assetParams(asset); // collateral must be a pool asset: liquidations absorb it into the reserves
        _collateralList.push(asset);
        _collateral[asset] = CollateralSlot(
            uint8(_collateralList.length),
            IERC20Metadata(asset).decimals(),
            params.initialHaircutBps,
            params.maintHaircutBps,
            params.stressShockBps,
            params.supplyCap
        );
        emit CollateralListed(asset, params);
    }

    /// @notice Change collateral parameters. The timelock (admin) within the absolute bounds; the risk manager only
    /// in steps of at most `MAX_RISK_STEP_BPS` on the haircuts, so healthy accounts are not liquidated at once.
    function setCollateralParams(address asset, CollateralParams calldata params) external {
        CollateralSlot memory c = _listedCollateral(asset);
        _checkCollateral(params);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            _checkRole(RISK_MANAGER_ROLE);
            _step("maintHaircutBps", c.maintHaircutBps, params.maintHaircutBps);
            _step("initialHaircutBps", c.initialHaircutBps, params.initialHaircutBps);
        }
        (c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap) =
            (params.initialHaircutBps, params.maintHaircutBps, params.stressShockBps, params.supplyCap);
        _collateral[asset] = c;
        emit CollateralParamsSet(asset, params);
    }

    function listMarket(MarketParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 market) {
        if (_markets.length == MAX_MARKETS_LISTED) {
            revert ParamOutOfBounds("marketCount", MAX_MARKETS_LISTED + 1, 0, MAX_MARKETS_LISTED);
        }
        _checkMarket(params);
        market = _markets.length;
        _markets.push(params);
        _marketStates.push();
        emit MarketListed(market, params);
    }

    /// @notice Change market parameters (same rule as `setCollateralParams`, on the margin fractions).
    function setMarketParams(uint256 market, MarketParams calldata params) external {
        MarketParams memory old = _listedMarket(market);
        _checkMarket(params);
        if (params.asset != old.asset) revert ParamOutOfBounds("asset", 0, 0, 0);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            _checkRole(RISK_MANAGER_ROLE);
            _step("mmfBps", old.mmfBps, params.mmfBps);
            _step("imfBps", old.imfBps, params.imfBps);
        }
        _markets[market] = params;
        emit MarketParamsSet(market, params);
    }

    function setNewRiskPaused(bool paused) external onlyRole(GUARDIAN_ROLE) {
        newRiskPaused = paused;
        emit NewRiskPausedSet(paused, msg.sender);
    }

    /// @dev Absolute bounds. Liquidating at the threshold must not create bad debt: a position's maintenance margin
    /// must exceed what the liquidation penalty (checked by the Liquidator against these) takes.
    function _checkCollateral(CollateralParams calldata p) private pure {
        _bounded("maintHaircutBps", p.maintHaircutBps, 0, 9_000);
        _bounded("initialHaircutBps", p.initialHaircutBps, p.maintHaircutBps, 9_500);
        _bounded("stressShockBps", p.stressShockBps, 0, 9_000);
        _bounded("supplyCap", p.supplyCap, 1, type(uint128).max);
    }

    function _checkMarket(MarketParams calldata p) private view {
        _bounded("mmfBps", p.mmfBps, 50, 5_000);
        _bounded("imfBps", p.imfBps, p.mmfBps + 1, 10_000);
        _bounded("tradingFeeBps", p.tradingFeeBps, 0, p.mmfBps);
        _bounded("stressShockBps", p.stressShockBps, 0, 9_000);
        _bounded("reserveFactorBps", p.reserveFactorBps, 0, 10_000);
        _bounded("minSize", p.minSize, 1, type(uint128).max);
        // Liquidating at the threshold must not create bad debt: the penalty stays below the maintenance fraction.
        uint256 penalty = ILiquidator(liquidator).penaltyBps();
        if (p.mmfBps <= penalty) revert ParamOutOfBounds("mmfBps", p.mmfBps, penalty + 1, 5_000);
        oracle.getPriceData(p.asset); // reverts for an asset the oracle does not list
    }

    function _step(bytes32 name, uint256 oldValue, uint256 newValue) private pure {
        uint256 min = oldValue > MAX_RISK_STEP_BPS ? oldValue - MAX_RISK_STEP_BPS : 0;
        _bounded(name, newValue, min, oldValue + MAX_RISK_STEP_BPS);
    }

    function _bounded(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParamOutOfBounds(name, value, min, max);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarginEngine
    function health(address account) external view returns (Health memory) {
        return _health(account, false);
    }

    /// @inheritdoc IMarginEngine
    function liquidationHealth(address account) external view returns (Health memory) {
        return _health(account, true);
    }

    /// @inheritdoc ITraderBook
    function poolExposure(bool enforceRiskStatus)
        external
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd)
    {
        uint256 index = pool.borrowIndex();
        uint256 n = _markets.length;
        for (uint256 market = 0; market < n; ++market) {
            AccountMath.MarketState memory s = _marketStates[market];
            if (s.longSize == 0 && s.shortSize == 0) continue;
            MarketParams memory p = _markets[market];
            (uint256 low, uint256 high) = enforceRiskStatus
                ? oracle.priceBounds(p.asset, IOracleAggregator.Action.AddRisk)
                : _range(p.asset);
            (int256 atLow, int256 atHigh) = AccountMath.marketPnl(s, low, high, index);
            (pnlLow, pnlHigh) = atLow < atHigh ? (pnlLow + atLow, pnlHigh + atHigh) : (pnlLow + atHigh, pnlHigh + atLow);
            reservedUsd += (uint256(s.longSize) + s.shortSize).mulWadUp(high).mulBpsUp(p.reserveFactorBps);
        }
    }

    /// @inheritdoc IMarginEngine
    function position(address account, uint256 market) external view returns (Position memory) {
        return _positions[account][market];
    }

    /// @inheritdoc IMarginEngine
    function collateralBalance(address account, address asset) external view returns (uint256) {
        return _balances[account][asset];
    }

    /// @inheritdoc IMarginEngine
    function cash(address account) external view returns (uint256 credit, uint256 scaledDebt, uint256 debt) {
        CashSlot memory c = _cash[account];
        return (c.credit, c.scaledDebt, uint256(c.scaledDebt).mulWadUp(pool.borrowIndex()));
    }

    /// @inheritdoc IMarginEngine
    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    /// @inheritdoc IMarginEngine
    function marketParams(uint256 market) external view returns (MarketParams memory) {
        return _listedMarket(market);
    }

    /// @inheritdoc IMarginEngine
    function collateralParams(address asset) external view returns (CollateralParams memory) {
        CollateralSlot memory c = _listedCollateral(asset);
        return CollateralParams(c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap);
    }

    /// @inheritdoc IMarginEngine
    function accountMasks(address account) external view returns (uint16 collateral, uint16 markets) {
        MaskSlot memory m = _masks[account];
        return (m.collateral, m.markets);
    }

    /// @inheritdoc IMarginEngine
    function collateralAssets() external view returns (address[] memory) {
        return _collateralList;
    }

    // ---------------------------------------------------------------- internals: health

    function _health(address account, bool enforce) private view returns (Health memory h) {
        AccountMath.Totals memory t;
        uint256 index = pool.borrowIndex();
        uint16 mask = _masks[account].collateral;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = _collateralList[i];
                CollateralSlot memory cs = _collateral[asset];
                (uint256 low, uint256 high) = _healthRange(asset, enforce);
                AccountMath.addCollateral(
                    t,
                    _balances[account][asset],
                    cs.decimals,
                    low,
                    high,
                    cs.initialHaircutBps,
                    cs.maintHaircutBps,
                    cs.stressShockBps
                );
            }
            mask >>= 1;
        }
        mask = _masks[account].markets;
        for (uint256 market = 0; mask != 0; ++market) {
            if (mask & 1 != 0) {
                MarketParams memory p = _markets[market];
                Position memory s = _positions[account][market];
                (uint256 low, uint256 high) = _healthRange(p.asset, enforce);
                AccountMath.addPosition(
                    t,
                    AccountMath.PositionInput(s.size, s.entryPrice, s.entryIndex, p.imfBps, p.mmfBps, p.stressShockBps),
                    index,
                    low,
                    high
                );
            }
            mask >>= 1;
        }
        CashSlot memory c = _cash[account];
        (uint256 sLow, uint256 sHigh) = _healthRange(settlementAsset, enforce);
        h = AccountMath.finish(t, c.credit, uint256(c.scaledDebt).mulWadUp(index), _settlementDecimals, sLow, sHigh);
    }

    function _requireInitialMargin(address account) private view {
        Health memory h = _health(account, false);
        if (h.initialEquity < int256(h.initialMargin) || h.stressEquity < 0) {
            revert InsufficientMargin(h.initialEquity, h.initialMargin, h.stressEquity);
        }
    }

    // ---------------------------------------------------------------- internals: trading

    function _executionPrice(address asset, bool buying, bool addsRisk) private view returns (uint256) {
        // A buyer pays the higher price, a seller gets the lower one (worse for the trader).
        return addsRisk ? oracle.priceForRisk(asset, !buying) : oracle.priceForReduce(asset, !buying);
    }

    /// @dev Apply a trade at `price`, realize PnL and borrow fees, charge the trading fee.
    function _trade(address account, uint256 market, MarketParams memory p, int256 delta, uint256 price)
        private
        returns (int256 realized, uint256 fee)
    {
        (realized,) = _tradeWithoutFee(account, market, delta, price);
        AccountMath.MarketState memory s = _marketStates[market];
        if (s.longSize > p.longOpenInterestCap) revert OpenInterestCapExceeded(market, s.longSize, p.longOpenInterestCap);
        if (s.shortSize > p.shortOpenInterestCap) revert OpenInterestCapExceeded(market, s.shortSize, p.shortOpenInterestCap);
        uint256 feeUsd = _abs(delta).mulWadUp(price).mulBpsUp(p.tradingFeeBps);
        if (feeUsd != 0) {
            fee = _toSettlementUp(feeUsd);
            uint256 toInsurance = fee.mulBpsDown(insuranceFeeShareBps);
            if (toInsurance != 0) _payFromCash(account, toInsurance, insuranceFund, "fee");
            if (fee > toInsurance) _payFromCash(account, fee - toInsurance, address(pool), "fee");
        }
    }

    /// @dev Move the position by `delta` at `price`: settle its borrow fee, realize the PnL of any closed part,
    /// average the entry of any opened part, and keep the market aggregates and the account's market list.
    function _tradeWithoutFee(address account, uint256 market, int256 delta, uint256 price)
        private
        returns (int256 realized, int256 sizeAfter)
    {
        uint256 index = pool.borrowIndex();
        Position memory pos = _positions[account][market];
        AccountMath.MarketState memory s = _marketStates[market];
        AccountMath.removeFromMarket(s, pos.size, pos.entryPrice, pos.entryIndex);
        uint256 borrowFeeUsd = AccountMath.borrowFee(pos.size, pos.entryPrice, pos.entryIndex, index);
        int256 entry;
        (realized, sizeAfter, entry) = AccountMath.applyTrade(pos.size, pos.entryPrice, delta, price);
        realized -= int256(borrowFeeUsd);
        pos = Position(sizeAfter.toInt128(), uint256(entry).toUint128(), index);
        AccountMath.addToMarket(s, pos.size, pos.entryPrice, index);
        _marketStates[market] = s;
        _positions[account][market] = pos;

        uint16 bit = uint16(1 << market);
        MaskSlot memory m = _masks[account];
        if (sizeAfter == 0) {
            _masks[account].markets = m.markets & ~bit;
        } else if (m.markets & bit == 0) {
            if (_popcount(m.markets) == MAX_MARKETS_PER_ACCOUNT) revert TooManyMarkets(account, MAX_MARKETS_PER_ACCOUNT);
            _masks[account].markets = m.markets | bit;
        }
        if (realized > 0) {
            uint256 units = _toSettlementDown(uint256(realized));
            pool.payProfit(units);
            _addCash(account, units, "pnl");
        } else if (realized < 0) {
            _payFromCash(account, _toSettlementUp(uint256(-realized)), address(pool), "pnl");
        }
    }

    // ---------------------------------------------------------------- internals: cash

    /// @dev Credit `units` of settlement tokens the engine already holds: repay debt first, then add credit.
    function _addCash(address account, uint256 units, bytes32 reason) private {
        CashSlot memory c = _cash[account];
        uint256 remaining = units;
        if (c.scaledDebt != 0) {
            uint256 index = pool.borrowIndex();
            uint256 scaled = remaining.mulDivDown(FixedPointMath.WAD, index);
            if (scaled > c.scaledDebt) scaled = c.scaledDebt;
            if (scaled != 0) {
                remaining -= pool.repay(scaled);
                c.scaledDebt -= uint128(scaled);
            }
        }
        c.credit += remaining.toUint128();
        _cash[account] = c;
        emit CashChanged(account, int256(units), c.credit, c.scaledDebt, reason);
    }

    /// @dev Pay `units` from `account`'s cash to `to` (the Pool books it as a loss received): from credit first,
    /// the rest as new debt to the Pool.
    function _payFromCash(address account, uint256 units, address to, bytes32 reason) private {
        CashSlot memory c = _cash[account];
        uint256 fromCredit = units < c.credit ? units : c.credit;
        uint256 borrowed = units - fromCredit;
        c.credit -= uint128(fromCredit);
        if (to == address(pool)) {
            c.scaledDebt += pool.receiveLoss(fromCredit, borrowed).toUint128();
        } else {
            if (borrowed != 0) c.scaledDebt += pool.lend(borrowed, address(this)).toUint128();
            if (to == insuranceFund) IInsuranceFundLike(to).fund(units, reason);
            else IERC20(settlementAsset).safeTransfer(to, units);
        }
        _cash[account] = c;
        emit CashChanged(account, -int256(units), c.credit, c.scaledDebt, reason);
    }

    // ---------------------------------------------------------------- internals: helpers

    function _pull(address asset, uint256 amount) private returns (uint256 received) {
        uint256 before = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        received = IERC20(asset).balanceOf(address(this)) - before;
    }

    /// @dev Prices for a health computation; a liquidation needs every involved price Ok or Deviated.
    function _healthRange(address asset, bool enforce) private view returns (uint256 low, uint256 high) {
        if (enforce) return oracle.priceBounds(asset, IOracleAggregator.Action.Liquidate);
        return _range(asset);
    }

    function _range(address asset) private view returns (uint256 low, uint256 high) {
        IOracleAggregator.PriceData memory d = oracle.getPriceData(asset);
        return d.median < d.twap ? (d.median, d.twap) : (d.twap, d.median);
    }

    /// @dev USD to settlement units: profits at the higher settlement price (fewer units), losses and fees at the
    /// lower one (more units).
    function _toSettlementDown(uint256 usd) private view returns (uint256) {
        (, uint256 high) = _range(settlementAsset);
        return usd.toAmountDown(high, _settlementDecimals);
    }

    function _toSettlementUp(uint256 usd) private view returns (uint256) {
        (uint256 low,) = _range(settlementAsset);
        return usd.toAmountUp(low, _settlementDecimals);
    }

    function _listedCollateral(address asset) private view returns (CollateralSlot memory c) {
        c = _collateral[asset];
        if (c.position == 0) revert CollateralNotListed(asset);
    }

    function _listedMarket(uint256 market) private view returns (MarketParams memory) {
        if (market >= _markets.length) revert MarketNotListed(market);
        return _markets[market];
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x < 0 ? uint256(-x) : uint256(x);
    }

    function _popcount(uint16 mask) private pure returns (uint256 n) {
        for (; mask != 0; mask &= mask - 1) ++n;
    }
}

/// @dev The one InsuranceFund call the engine makes.
interface IInsuranceFundLike {
    function fund(uint256 amount, bytes32 reason) external;
}
