// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngineGovernance} from "../interfaces/IMarginEngine.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {MarginEngineStorage} from "./base/MarginEngineStorage.sol";
import {Roles} from "./base/Roles.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";

/// @title MarginEngineGovernance
/// @notice Governance of the MarginEngine: roles, listings, bounded parameter steps, maintenance ramps and the debt
/// ceilings of isolated collateral. The engine delegates every selector it does not implement to its
/// MarginEngineExtension, which delegates those it does not implement here, so this code runs on the engine's
/// storage; called directly it has no state of its own worth anything. Roles live here (OpenZeppelin AccessControl,
/// after the shared state).
contract MarginEngineGovernance is MarginEngineStorage, Roles, IMarginEngineGovernance {
    using SafeERC20 for IERC20;

    /// @notice Largest change the risk manager may make to a maintenance parameter in one call (the timelock is
    /// bounded only by the absolute limits).
    uint256 public constant MAX_RISK_STEP_BPS = 500;
    /// @notice Least time between two risk-manager steps that tighten the same asset's or market's margin
    /// parameters: accounts get a day to add margin before the next step (the timelock is not spaced).
    uint256 public constant RISK_STEP_INTERVAL = 1 days;
    /// @notice The time a tightening of a maintenance parameter takes to come fully into force, until governance sets
    /// another (`setRampDuration`).
    uint256 public constant DEFAULT_RAMP_DURATION = 1 days;
    /// @notice Longest ramp governance may set.
    uint256 public constant MAX_RAMP_DURATION = 30 days;
    /// @dev Tells a market's subject key apart from a collateral asset's (an address fits in the low 160 bits).
    uint256 private constant MARKET_SUBJECT = 1 << 255;

    /// @notice The engine this contract serves (the only storage it is meant to run on); the engine checks it.
    address public immutable engine;

    /// @param engine_ The engine's address (the engine refuses an extension built for another).
    constructor(Wiring memory w, address engine_) MarginEngineStorage(w) {
        engine = engine_;
    }

    /// @notice Grant the roles and set the engine-wide settings. Runs once, by delegatecall from the engine's
    /// constructor (through the extension): only then is the caller's code empty.
    function initialize(Wiring calldata w, uint256 insuranceFeeShareBps_, uint256 adlThresholdBps, uint256 adlTargetBps)
        external
    {
        if (address(this) != engine || address(this).code.length != 0) revert Unauthorized(msg.sender);
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _grantRole(GUARDIAN_ROLE, w.guardian);
        _setInsuranceFeeShare(insuranceFeeShareBps_);
        _setAdlParams(adlThresholdBps, adlTargetBps);
        _setRampDuration(DEFAULT_RAMP_DURATION);
    }

    // ---------------------------------------------------------------- listings and parameters

    /// @inheritdoc IMarginEngineGovernance
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
            params.supplyCap,
            false
        );
        emit CollateralListed(asset, params);
    }

    /// @inheritdoc IMarginEngineGovernance
    function setCollateralParams(address asset, CollateralParams calldata params) external {
        CollateralSlot memory c = _listedCollateral(asset);
        _checkCollateral(params);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            _checkRole(RISK_MANAGER_ROLE);
            bool tightens = _step("maintHaircutBps", c.maintHaircutBps, params.maintHaircutBps);
            tightens = _step("initialHaircutBps", c.initialHaircutBps, params.initialHaircutBps) || tightens;
            if (tightens) _spaceRiskStep(bytes32(uint256(uint160(asset))));
        }
        Ramp memory ramp = _nextRamp(
            bytes32(uint256(uint160(asset))),
            _collateralRamps[asset],
            c.maintHaircutBps,
            _maintHaircut(asset, c),
            params.maintHaircutBps
        );
        (c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap, c.ramping) =
        (params.initialHaircutBps, params.maintHaircutBps, params.stressShockBps, params.supplyCap, ramp.end != 0);
        _collateralRamps[asset] = ramp;
        _collateral[asset] = c;
        emit CollateralParamsSet(asset, params);
    }

    /// @inheritdoc IMarginEngineGovernance
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

    /// @inheritdoc IMarginEngineGovernance
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

    /// @inheritdoc IMarginEngineGovernance
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
        Ramp memory ramp = _nextRamp(
            bytes32(market | MARKET_SUBJECT),
            _marketRamps[market],
            old.maintenanceMarginBps,
            _maintenanceMargin(market, old.maintenanceMarginBps),
            params.maintenanceMarginBps
        );
        uint16 bit = uint16(1 << market);
        _config.rampingMarkets = ramp.end == 0 ? _config.rampingMarkets & ~bit : _config.rampingMarkets | bit;
        _marketRamps[market] = ramp;
        _markets[market] = params;
        emit MarketParamsSet(market, params);
    }

    /// @inheritdoc IMarginEngineGovernance
    function setNewRiskPaused(bool paused) external onlyRole(GUARDIAN_ROLE) {
        _config.newRiskPaused = paused;
        emit NewRiskPausedSet(paused, msg.sender);
    }

    /// @inheritdoc IMarginEngineGovernance
    function setInsuranceFeeShare(uint256 insuranceFeeShareBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setInsuranceFeeShare(insuranceFeeShareBps_);
    }

    /// @inheritdoc IMarginEngineGovernance
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

    // ---------------------------------------------------------------- maintenance ramps

    /// @inheritdoc IMarginEngineGovernance
    function setRampDuration(uint256 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRampDuration(duration);
    }

    function _setRampDuration(uint256 duration) private {
        ParamBounds.check("rampDuration", duration, 0, MAX_RAMP_DURATION);
        _config.rampDuration = uint32(duration);
        emit RampDurationSet(duration);
    }

    /// @dev The ramp of a maintenance parameter of `subject` whose target moves from `oldTarget` to `target` while
    /// `inForce` is in force: an unchanged target keeps its ramp (`current`) until it ends; a rise above the value in force ramps from
    /// it over the ramp duration; anything else applies at once (no ramp: end 0).
    function _nextRamp(bytes32 subject, Ramp memory current, uint256 oldTarget, uint256 inForce, uint256 target)
        private
        returns (Ramp memory)
    {
        if (target == oldTarget) return current.end > block.timestamp ? current : Ramp(0, 0, 0);
        uint256 duration = _config.rampDuration;
        if (target <= inForce || duration == 0) return Ramp(0, 0, 0);
        uint256 end = block.timestamp + duration;
        emit MaintenanceRampStarted(subject, inForce, target, block.timestamp, end);
        return Ramp(uint16(inForce), uint32(block.timestamp), uint32(end));
    }

    /// @inheritdoc IMarginEngineGovernance
    function rampDuration() external view returns (uint256) {
        return _config.rampDuration;
    }

    /// @inheritdoc IMarginEngineGovernance
    function collateralRamp(address asset) external view returns (RampState memory) {
        CollateralSlot memory c = _listedCollateral(asset);
        Ramp memory r = _collateralRamps[asset];
        return RampState(r.fromBps, c.maintHaircutBps, r.start, r.end, _maintHaircut(asset, c));
    }

    /// @inheritdoc IMarginEngineGovernance
    function marketRamp(uint256 market) external view returns (RampState memory) {
        uint256 target = _listedMarket(market).maintenanceMarginBps;
        Ramp memory r = _marketRamps[market];
        return RampState(r.fromBps, target, r.start, r.end, _maintenanceMargin(market, target));
    }

    // ---------------------------------------------------------------- isolated collateral

    /// @inheritdoc IMarginEngineGovernance
    function setCollateralIsolation(address asset, uint256 debtCeilingUsd) external onlyRole(DEFAULT_ADMIN_ROLE) {
        CollateralSlot memory c = _listedCollateral(asset);
        ParamBounds.check("debtCeilingUsd", debtCeilingUsd, 0, type(uint128).max);
        uint16 bit = uint16(1 << (c.position - 1));
        if (debtCeilingUsd == 0) _config.isolatedCollateral &= ~bit;
        else _config.isolatedCollateral |= bit;
        _isolation[asset].debtCeiling = uint128(debtCeilingUsd);
        emit CollateralIsolationSet(asset, debtCeilingUsd);
    }

    /// @inheritdoc IMarginEngineGovernance
    function collateralIsolation(address asset) external view returns (uint256 debtCeilingUsd, uint256 debtUsd) {
        _listedCollateral(asset);
        IsolationSlot memory i = _isolation[asset];
        return (i.debtCeiling, i.debt);
    }
}
