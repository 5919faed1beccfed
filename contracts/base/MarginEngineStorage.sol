// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {AccountMath} from "../libraries/AccountMath.sol";
import {PositionPacking} from "../libraries/PositionPacking.sol";
import {CoreWiring} from "./CoreWiring.sol";

/// @title MarginEngineStorage
/// @notice The state of the MarginEngine, shared by its two halves: the engine itself and the extension it delegates
/// governance and book-keeping views to. Both inherit this first, so their storage layouts agree slot for slot; the
/// wiring is immutable and given to both by the engine's constructor.
abstract contract MarginEngineStorage is CoreWiring, IMarginEngineTypes {
    uint256 internal constant MAX_COLLATERAL_LISTED = 16;
    uint256 internal constant MAX_MARKETS_LISTED = 16;
    /// @dev Caps that bound every health computation.
    uint256 internal constant MAX_COLLATERAL_PER_ACCOUNT = 8;
    uint256 internal constant MAX_MARKETS_PER_ACCOUNT = 8;
    /// @dev Margin products the engine can list (each held one is a call in every health computation).
    uint256 internal constant MAX_MARGIN_PRODUCTS = 4;

    /// @dev `maintHaircutBps` is the target; with `ramping` set the haircut in force may still be ramping to it
    /// (`_collateralRamps`, `_maintHaircut`).
    struct CollateralSlot {
        uint8 position;
        uint8 decimals;
        uint16 initialHaircutBps;
        uint16 maintHaircutBps;
        uint16 stressShockBps;
        uint128 supplyCap;
        bool ramping;
    }

    /// @dev A maintenance parameter ramping to its target from `fromBps` at `start`, until `end`.
    struct Ramp {
        uint16 fromBps;
        uint32 start;
        uint32 end;
    }

    /// @dev An isolated collateral asset's debt ceiling and the debt recorded against it, USD (WAD).
    struct IsolationSlot {
        uint128 debtCeiling;
        uint128 debt;
    }

    /// @dev The isolated debt last recorded for an account and the isolated assets (collateral bit mask) it counts
    /// against.
    struct IsolatedDebtSlot {
        uint128 debt;
        uint16 assets;
    }

    /// @dev An account's cash and masks in one slot: every health read, trade and liquidation reads both. Cash:
    /// settlement units of credit held by the engine, and debt to the Pool scaled by its borrow index, 104 bits each
    /// (2e31 units). Credit is real tokens, far below that; debt is bounded by the losses one account can book, about
    /// 2e19 USD with a 6-decimal settlement asset (2e13 USD with 18 decimals). Masks: bit i of `collateral` for the
    /// collateral asset at listing position i held, bit m of `markets` for a position in market m, bit p of `products`
    /// for margin product p; `provisioned`: a provision is recorded (so a liquidation reads `_provisions` only then).
    /// Cash is written by its two fields only, never the whole slot from an older copy, so no mask is overwritten.
    struct AccountSlot {
        uint104 credit;
        uint104 scaledDebt;
        uint16 collateral;
        uint16 markets;
        bool provisioned;
        uint8 products;
    }

    /// @dev One slot of engine-wide settings.
    /// `isolatedCollateral`: bit i set, `_collateralList[i]` is isolated (has a debt ceiling). `rampingMarkets`: bit m
    /// set, market m's maintenance margin may be ramping (`_marketRamps`). `rampDuration`: seconds a tightening of a
    /// maintenance parameter takes to come fully into force.
    struct ConfigSlot {
        uint16 insuranceFeeShareBps;
        uint16 adlThresholdBps;
        uint16 adlTargetBps;
        bool newRiskPaused;
        uint16 isolatedCollateral;
        uint16 rampingMarkets;
        uint32 rampDuration;
    }

    /// @notice Addresses the engine is wired to.
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

    IPool internal immutable _pool;
    uint8 internal immutable _settlementDecimals;

    address[] internal _collateralList;
    mapping(address asset => CollateralSlot) internal _collateral;
    mapping(address asset => uint256) internal _totalCollateral;
    MarketParams[] internal _markets;
    AccountMath.MarketState[] internal _marketStates;

    mapping(address account => AccountSlot) internal _accounts;
    mapping(address account => mapping(address asset => uint256)) internal _balances;
    /// @dev Each position in one word (`PositionPacking`); read and written only through `_position` and
    /// `_storePosition`.
    mapping(address account => mapping(uint256 market => uint256 word)) internal _positions;
    /// @dev The positions whose figures do not fit one slot, stored whole (their slot above holds the `WIDE` mark).
    mapping(address account => mapping(uint256 market => Position)) internal _widePositions;

    ConfigSlot internal _config;
    /// @dev When the risk manager last tightened a collateral asset's or a market's margin parameters (see
    /// MarginEngineExtension: consecutive steps are spaced, so bounded steps cannot be chained at once).
    mapping(bytes32 subject => uint256 timestamp) internal _lastRiskStep;
    /// @dev Per account, the shortfall (minus its maintenance equity, USD) recorded by `provision` while that equity was
    /// negative, and their sum, which the Pool's lower NAV subtracts (docs/design.md#liveness). Cleared when the
    /// account is liquidated.
    mapping(address account => uint256 usd) internal _provisions;

    /// @dev The provisions' sum and the number of listed margin products share a slot: the Pool's valuation
    /// (`poolExposure`) reads both, so with no margin product listed it pays no extra read.
    struct ExposureSlot {
        uint248 totalProvision;
        uint8 marginProducts;
    }

    ExposureSlot internal _exposure;
    /// @dev Listed margin products (`IMarginProduct`), in listing order (the bit order of an account's product mask);
    /// the first `_exposure.marginProducts` are set.
    address[MAX_MARGIN_PRODUCTS] internal _marginProducts;
    mapping(uint256 market => Ramp) internal _marketRamps;
    mapping(address asset => Ramp) internal _collateralRamps;
    mapping(address asset => IsolationSlot) internal _isolation;
    mapping(address account => IsolatedDebtSlot) internal _isolatedDebt;

    constructor(Wiring memory w) CoreWiring(w.oracle, w.pool.settlementAsset(), w.liquidator, w.insuranceFund) {
        _pool = w.pool;
        _settlementDecimals = IERC20Metadata(_settlementAsset).decimals();
    }

    function _listedCollateral(address asset) internal view returns (CollateralSlot memory c) {
        c = _collateral[asset];
        if (c.position == 0) revert CollateralNotListed(asset);
    }

    /// @dev The maintenance haircut in force: the target, or its linear ramp from the previous value, rounded down
    /// (a ramp is never ahead of its line).
    function _maintHaircut(address asset, CollateralSlot memory c) internal view returns (uint256) {
        return c.ramping ? _ramped(c.maintHaircutBps, _collateralRamps[asset]) : c.maintHaircutBps;
    }

    /// @dev Market `market`'s maintenance margin in force, given its target `toBps`: the ramp is read only for a
    /// market flagged in `_config.rampingMarkets`.
    function _maintenanceMargin(uint256 market, uint256 toBps) internal view returns (uint256) {
        return _config.rampingMarkets & (1 << market) == 0 ? toBps : _ramped(toBps, _marketRamps[market]);
    }

    /// @dev A ramp exists only for a rise (`fromBps < toBps`, set with `start < end` at `start`, governance) and is
    /// read only before its end, so nothing here can underflow, overflow or divide by zero.
    function _ramped(uint256 toBps, Ramp storage r) internal view returns (uint256) {
        (uint256 fromBps, uint256 start, uint256 end) = (r.fromBps, r.start, r.end);
        if (block.timestamp >= end) return toBps;
        unchecked {
            return fromBps + (toBps - fromBps) * (block.timestamp - start) / (end - start);
        }
    }

    /// @dev `account`'s position in `market` (zero if it has none).
    function _position(address account, uint256 market) internal view returns (Position memory p) {
        bool wide;
        (p, wide) = PositionPacking.unpack(_positions[account][market]);
        if (wide) p = _widePositions[account][market];
    }

    /// @dev Store `account`'s position in `market`: in one slot if it fits, else whole beside its `WIDE` mark. A
    /// closed position (size 0) clears its slot.
    function _storePosition(address account, uint256 market, Position memory p) internal {
        (uint256 word, bool fits) = PositionPacking.pack(p);
        _positions[account][market] = word;
        if (!fits) _widePositions[account][market] = p;
    }

    function _listedMarket(uint256 market) internal view returns (MarketParams memory) {
        if (market >= _markets.length) revert MarketNotListed(market);
        return _markets[market];
    }
}
