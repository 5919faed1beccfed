// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngineAdmin, IMarginEngineCore} from "../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {CoreWiringViews} from "./base/CoreWiring.sol";
import {MarginEngineBooks} from "./base/MarginEngineBooks.sol";
import {MarginEngineStorage} from "./base/MarginEngineStorage.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {AccountMath} from "./libraries/AccountMath.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {Roles} from "./base/Roles.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";

/// @title MarginEngineExtension
/// @notice Governance, book-keeping views, margin-product trades and auto-deleveraging of the MarginEngine. Deployed
/// just before the engine, for the engine's address, which delegates to it every selector it does not implement, so
/// this code runs on the engine's storage; called directly it has no state of its own worth anything. Roles live here
/// (OpenZeppelin AccessControl, after the shared state).
contract MarginEngineExtension is MarginEngineBooks, CoreWiringViews, Roles, ProtocolGuarded, IMarginEngineAdmin {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice Largest change the risk manager may make to a maintenance parameter in one call (the timelock is
    /// bounded only by the absolute limits).
    uint256 public constant MAX_RISK_STEP_BPS = 500;
    /// @notice Least time between two risk-manager steps that tighten the same asset's or market's margin
    /// parameters: accounts get a day to add margin before the next step (the timelock is not spaced).
    uint256 public constant RISK_STEP_INTERVAL = 1 days;
    /// @dev Tells a market's subject key apart from a collateral asset's (an address fits in the low 160 bits).
    uint256 private constant MARKET_SUBJECT = 1 << 255;

    /// @notice The engine this extension serves (the only storage it is meant to run on); the engine checks it.
    address public immutable engine;

    /// @param engine_ The engine's address, deployed next (the engine refuses an extension built for another).
    constructor(Wiring memory w, address engine_) MarginEngineStorage(w) ProtocolGuarded(w.lock) {
        engine = engine_;
    }

    /// @notice Grant the roles and set the engine-wide settings. Runs once, by delegatecall from the engine's
    /// constructor: only then is the caller's code empty.
    function initialize(Wiring calldata w, uint256 insuranceFeeShareBps_, uint256 adlThresholdBps, uint256 adlTargetBps)
        external
    {
        if (address(this) != engine || address(this).code.length != 0) revert Unauthorized(msg.sender);
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _grantRole(GUARDIAN_ROLE, w.guardian);
        _setInsuranceFeeShare(insuranceFeeShareBps_);
        _setAdlParams(adlThresholdBps, adlTargetBps);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IMarginEngineAdmin
    function listCollateral(address asset, CollateralParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (asset == _settlementAsset || _collateral[asset].position != 0) revert CollateralAlreadyListed(asset);
        if (_collateralList.length == MAX_COLLATERAL_LISTED) {
            revert ParamOutOfBounds("collateralCount", MAX_COLLATERAL_LISTED + 1, 0, MAX_COLLATERAL_LISTED);
        }
        _checkCollateral(params);
        _pool.assetParams(asset); // collateral must be a pool asset: liquidations absorb it into the reserves
        // Liquidations move collateral straight from the engine into the Pool, which pulls it.
        IERC20(asset).forceApprove(address(_pool), type(uint256).max);
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

    /// @inheritdoc IMarginEngineAdmin
    function setCollateralParams(address asset, CollateralParams calldata params) external {
        CollateralSlot memory c = _listedCollateral(asset);
        _checkCollateral(params);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            _checkRole(RISK_MANAGER_ROLE);
            bool tightens = _step("maintHaircutBps", c.maintHaircutBps, params.maintHaircutBps);
            tightens = _step("initialHaircutBps", c.initialHaircutBps, params.initialHaircutBps) || tightens;
            if (tightens) _spaceRiskStep(bytes32(uint256(uint160(asset))));
        }
        (c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap) =
        (params.initialHaircutBps, params.maintHaircutBps, params.stressShockBps, params.supplyCap);
        _collateral[asset] = c;
        emit CollateralParamsSet(asset, params);
    }

    /// @inheritdoc IMarginEngineAdmin
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

    /// @inheritdoc IMarginEngineAdmin
    function listMarginProduct(address book) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 product) {
        if (book == address(0)) revert ZeroAddress();
        product = _exposure.marginProducts;
        if (product == MAX_MARGIN_PRODUCTS) revert TooManyMarginProducts(MAX_MARGIN_PRODUCTS);
        for (uint256 i = 0; i < product; ++i) {
            if (_marginProducts[i] == book) revert MarginProductAlreadyListed(book);
        }
        (int256 pnlLow, int256 pnlHigh, uint256 reserved, uint256 provided) = ITraderBook(book).poolExposure(false);
        if (pnlLow != 0 || pnlHigh != 0 || reserved != 0 || provided != 0) {
            revert MarginProductNotEmpty(book, pnlLow, pnlHigh, reserved, provided);
        }
        _marginProducts[product] = book;
        _exposure.marginProducts = uint8(product + 1);
        emit MarginProductListed(product, book);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setMarketParams(uint256 market, MarketParams calldata params) external {
        MarketParams memory old = _listedMarket(market);
        _checkMarket(params);
        if (params.asset != old.asset) revert ParamOutOfBounds("asset", 0, 0, 0);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            _checkRole(RISK_MANAGER_ROLE);
            bool tightens = _step("maintenanceMarginBps", old.maintenanceMarginBps, params.maintenanceMarginBps);
            tightens = _step("initialMarginBps", old.initialMarginBps, params.initialMarginBps) || tightens;
            if (tightens) _spaceRiskStep(bytes32(market | MARKET_SUBJECT));
        }
        _markets[market] = params;
        emit MarketParamsSet(market, params);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setNewRiskPaused(bool paused) external onlyRole(GUARDIAN_ROLE) {
        _config.newRiskPaused = paused;
        emit NewRiskPausedSet(paused, msg.sender);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setInsuranceFeeShare(uint256 insuranceFeeShareBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setInsuranceFeeShare(insuranceFeeShareBps_);
    }

    /// @inheritdoc IMarginEngineAdmin
    function setAdlParams(uint256 thresholdBps, uint256 targetBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAdlParams(thresholdBps, targetBps);
    }

    function _setInsuranceFeeShare(uint256 bps) private {
        ParamBounds.check("insuranceFeeShareBps", bps, 0, FixedPointMath.BPS);
        _config.insuranceFeeShareBps = uint16(bps);
        emit InsuranceFeeShareSet(bps);
    }

    /// @dev ADL may start no lower than 10 % of pool value and must stop below where it starts.
    function _setAdlParams(uint256 thresholdBps, uint256 targetBps) private {
        ParamBounds.check("adlThresholdBps", thresholdBps, 1_000, FixedPointMath.BPS);
        ParamBounds.check("adlTargetBps", targetBps, 0, thresholdBps - 1);
        (_config.adlThresholdBps, _config.adlTargetBps) = (uint16(thresholdBps), uint16(targetBps));
        emit AdlParamsSet(thresholdBps, targetBps);
    }

    // ---------------------------------------------------------------- provisions (docs/design.md#liveness)

    /// @inheritdoc IMarginEngineAdmin
    function provision(address[] calldata accounts) external guarded {
        uint256 total = _exposure.totalProvision;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            Health memory h;
            // Runs on the engine's storage (delegatecall): `this` is the engine, whose liquidation health this is.
            try IMarginEngineCore(address(this)).liquidationHealth(account) returns (Health memory health) {
                h = health;
            } catch {
                revert ProvisionUnpriced(account, i);
            }
            uint256 provisioned = h.maintenanceEquity < 0 ? uint256(-h.maintenanceEquity) : 0;
            total = total - _provisions[account] + provisioned;
            (_provisions[account], _masks[account].provisioned) = (provisioned, provisioned != 0);
            emit ProvisionSet(account, provisioned, total);
        }
        _exposure.totalProvision = total.toUint248();
    }

    /// @inheritdoc IMarginEngineAdmin
    function provisionOf(address account) external view returns (uint256) {
        return _provisions[account];
    }

    /// @inheritdoc IMarginEngineAdmin
    function totalProvision() external view returns (uint256) {
        return _exposure.totalProvision;
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralValue(address account) external view returns (uint256 valueUsd) {
        uint16 mask = _masks[account].collateral;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = _collateralList[i];
                (uint256 low,) = _oracle.priceBounds(asset, IOracleAggregator.Action.Liquidate);
                valueUsd += _balances[account][asset].toValueDown(low, _collateral[asset].decimals);
            }
            mask >>= 1;
        }
    }

    /// @dev Absolute bounds. Liquidating at the threshold must not create bad debt: a position's maintenance margin
    /// must exceed what the liquidation penalty (checked by the Liquidator against these) takes.
    function _checkCollateral(CollateralParams calldata p) private pure {
        ParamBounds.check("maintHaircutBps", p.maintHaircutBps, 0, 9_000);
        ParamBounds.check("initialHaircutBps", p.initialHaircutBps, p.maintHaircutBps, 9_500);
        ParamBounds.check("stressShockBps", p.stressShockBps, 0, 9_000);
        ParamBounds.check("supplyCap", p.supplyCap, 1, type(uint128).max);
    }

    function _checkMarket(MarketParams calldata p) private view {
        ParamBounds.check("maintenanceMarginBps", p.maintenanceMarginBps, 50, 5_000);
        ParamBounds.check("initialMarginBps", p.initialMarginBps, p.maintenanceMarginBps + 1, 10_000);
        ParamBounds.check("tradingFeeBps", p.tradingFeeBps, 0, p.maintenanceMarginBps);
        ParamBounds.check("stressShockBps", p.stressShockBps, 0, 9_000);
        ParamBounds.check("reserveFactorBps", p.reserveFactorBps, 0, 10_000);
        ParamBounds.check("minSize", p.minSize, 1, type(uint128).max);
        // Liquidating at the threshold must not create bad debt: the penalty stays below the maintenance fraction.
        uint256 penalty = ILiquidator(_liquidator).penaltyBps();
        if (p.maintenanceMarginBps <= penalty) {
            revert ParamOutOfBounds("maintenanceMarginBps", p.maintenanceMarginBps, penalty + 1, 5_000);
        }
        _oracle.getPriceData(p.asset); // reverts for an asset the oracle does not list
    }

    /// @dev A risk-manager step: at most MAX_RISK_STEP_BPS either way. Returns whether it tightens (raises).
    function _step(bytes32 name, uint256 oldValue, uint256 newValue) private pure returns (bool tightens) {
        uint256 min = oldValue > MAX_RISK_STEP_BPS ? oldValue - MAX_RISK_STEP_BPS : 0;
        ParamBounds.check(name, newValue, min, oldValue + MAX_RISK_STEP_BPS);
        return newValue > oldValue;
    }

    /// @dev Tightening steps on one subject are RISK_STEP_INTERVAL apart, so that bounded steps cannot be chained
    /// within a block into a change that makes healthy accounts liquidatable at once (docs/design.md#governance).
    function _spaceRiskStep(bytes32 subject) private {
        uint256 last = _lastRiskStep[subject];
        if (last != 0 && block.timestamp < last + RISK_STEP_INTERVAL) {
            revert RiskStepTooSoon(subject, last + RISK_STEP_INTERVAL);
        }
        _lastRiskStep[subject] = block.timestamp;
    }

    // ---------------------------------------------------------------- margin products

    /// @inheritdoc IMarginEngineAdmin
    function tradeProduct(uint256 product, bytes calldata action) external guarded returns (bytes memory result) {
        address account = msg.sender;
        IMarginProduct book = _marginProduct(product);
        IMarginProduct.AccountRisk memory before = book.accountRisk(account, false);
        int256 cashUsd;
        bool addsRisk;
        bool holds;
        (cashUsd, addsRisk, holds, result) = book.execute(account, action);
        // The engine does not take the product's word for what the action did: an account that holds nothing has no
        // figures, and an action that raised the initial margin or the stress loss adds risk.
        IMarginProduct.AccountRisk memory next = book.accountRisk(account, false);
        if (!holds && !_isZero(next)) revert MarginProductStillHeld(product, account);
        addsRisk = addsRisk || next.initialMargin > before.initialMargin || next.stressLoss > before.stressLoss;
        if (addsRisk && _config.newRiskPaused) revert NewRiskPaused();
        _setProductHeld(account, product, holds);
        _realize(account, cashUsd, _settlementRange());
        emit ProductTraded(account, product, cashUsd, addsRisk, holds);
        // The health checks are the engine's own code (a view call back into it).
        IMarginEngineCore self = IMarginEngineCore(address(this));
        if (addsRisk) {
            self.checkInitialMargin(account);
            _pool.checkUtilization();
        } else if (holds) {
            // As for a perp: a partial reduce must leave the account healthy; closing all of it always goes through.
            Health memory h = self.health(account);
            if (h.liquidatable) revert BelowMaintenance(h.maintenanceEquity, h.maintenanceMargin);
        }
    }

    function _isZero(IMarginProduct.AccountRisk memory r) private pure returns (bool) {
        return r.maintenanceValue == 0 && r.maintenanceMargin == 0 && r.initialValue == 0 && r.initialMargin == 0
            && r.stressLoss == 0;
    }

    // ---------------------------------------------------------------- auto-deleveraging

    /// @inheritdoc IMarginEngineAdmin
    function autoDeleverage(address account, uint256 market) external guarded returns (int256 delta) {
        (int256 traderPnl, uint256 poolValue, bool active, uint256 excess) = _adlState();
        if (!active) revert AdlNotActive(traderPnl, poolValue, _config.adlThresholdBps);
        uint256 price;
        (delta, price) = _adlTrade(account, market, excess);
        (int256 realized, int256 sizeAfter,) = _tradeWithoutFee(account, market, delta, price, _pool.borrowIndex());
        _realize(account, realized, _settlementRange());
        emit PositionModified(account, market, delta, sizeAfter, price, realized, 0);
        emit AutoDeleveraged(account, market, delta, price, realized, excess, msg.sender);
    }

    /// @dev Check the selection rule and size the reduction: what realizes `excess` (each unit realizes
    /// |price - entry|), all of the position if less than the minimum size would remain.
    function _adlTrade(address account, uint256 market, uint256 excess) private view returns (int256, uint256) {
        MarketParams memory p = _listedMarket(market);
        Position memory pos = _positions[account][market];
        AccountMath.MarketState memory s = _marketStateRef(market);
        bool long = pos.size > 0;
        // Closing a long sells: the price better for the account is the higher one, and vice versa.
        uint256 price = _oracle.priceForLiquidation(p.asset, long);
        uint256 average = long
            ? uint256(s.longEntryNotional).mulDivDown(FixedPointMath.WAD, s.longSize == 0 ? 1 : s.longSize)
            : uint256(s.shortEntryNotional).mulDivUp(FixedPointMath.WAD, s.shortSize == 0 ? 1 : s.shortSize);
        // A profitable side, and an entry at least as good as the side's average.
        bool candidate = pos.size != 0
            && (long ? average < price && pos.entryPrice <= average : average > price && pos.entryPrice >= average);
        if (!candidate) revert NotAdlCandidate(account, market, pos.entryPrice, average, price);
        uint256 size = _abs(pos.size);
        uint256 closing = excess.mulDivUp(FixedPointMath.WAD, FixedPointMath.absDiff(price, pos.entryPrice));
        if (closing >= size || size - closing < p.minSize) closing = size;
        return (long ? -int256(closing) : int256(closing), price);
    }

    /// @inheritdoc IMarginEngineAdmin
    function adlState() external view returns (int256 traderPnl, uint256 poolValue, bool active, uint256 excessUsd) {
        return _adlState();
    }

    function _adlState() private view returns (int256 traderPnl, uint256 poolValue, bool active, uint256 excessUsd) {
        (, traderPnl,) = _poolExposure(false, _exposure.marginProducts);
        int256 value = _pool.nav(false) + traderPnl;
        poolValue = value > 0 ? uint256(value) : 0;
        ConfigSlot memory c = _config;
        active = traderPnl > 0 && uint256(traderPnl) > poolValue.mulBpsDown(c.adlThresholdBps);
        // Paying out profit P lowers the PnL and the pool's value alike: (pnl - P) <= target * (value - P) needs
        // P >= (pnl - target * value) / (1 - target).
        if (active) {
            uint256 over = uint256(traderPnl) - poolValue.mulBpsDown(c.adlTargetBps);
            excessUsd = over.mulDivUp(FixedPointMath.BPS, FixedPointMath.BPS - c.adlTargetBps);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarginEngineAdmin
    function position(address account, uint256 market) external view returns (Position memory) {
        return _positions[account][market];
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralBalance(address account, address asset) external view returns (uint256) {
        return _balances[account][asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function cash(address account) external view returns (uint256 credit, uint256 scaledDebt, uint256 debt) {
        CashSlot memory c = _cash[account];
        return (c.credit, c.scaledDebt, uint256(c.scaledDebt).mulWadUp(_pool.borrowIndex()));
    }

    /// @inheritdoc IMarginEngineAdmin
    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    /// @inheritdoc IMarginEngineAdmin
    function marketParams(uint256 market) external view returns (MarketParams memory) {
        return _listedMarket(market);
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralParams(address asset) external view returns (CollateralParams memory) {
        CollateralSlot memory c = _listedCollateral(asset);
        return CollateralParams(c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap);
    }

    /// @inheritdoc IMarginEngineAdmin
    function marginProducts() external view returns (address[] memory) {
        uint256 n = _exposure.marginProducts;
        address[] memory listed = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            listed[i] = _marginProducts[i];
        }
        return listed;
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountProducts(address account) external view returns (uint8) {
        return _masks[account].products;
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountMasks(address account) external view returns (uint16 collateral, uint16 markets) {
        MaskSlot memory m = _masks[account];
        return (m.collateral, m.markets);
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralAssets() external view returns (address[] memory) {
        return _collateralList;
    }

    /// @inheritdoc IMarginEngineAdmin
    function totalCollateral(address asset) external view returns (uint256) {
        return _totalCollateral[asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function insuranceFeeShareBps() external view returns (uint256) {
        return _config.insuranceFeeShareBps;
    }

    /// @inheritdoc IMarginEngineAdmin
    function newRiskPaused() external view returns (bool) {
        return _config.newRiskPaused;
    }

    /// @inheritdoc IMarginEngineAdmin
    function adlParams() external view returns (uint256 thresholdBps, uint256 targetBps) {
        return (_config.adlThresholdBps, _config.adlTargetBps);
    }

    /// @inheritdoc IMarginEngineAdmin
    function pool() external view returns (address) {
        return address(_pool);
    }
}
