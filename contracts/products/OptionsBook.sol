// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICoreWiring} from "../../interfaces/ICoreWiring.sol";
import {IMarginProduct} from "../../interfaces/IMarginProduct.sol";
import {IOptionsBook} from "../../interfaces/IOptionsBook.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {Roles} from "../base/Roles.sol";
import {BlackScholes} from "../libraries/BlackScholes.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {OptionPricing} from "../libraries/OptionPricing.sol";
import {ParamBounds} from "../libraries/ParamBounds.sol";
import {PriceRange} from "../libraries/PriceRange.sol";

/// @title OptionsBook
/// @notice European, cash-settled options on pool assets, a margin product of the MarginEngine
/// (docs/design.md#options). The book keeps the series, the accounts' signed positions and the pricing; the engine
/// keeps the accounts' collateral and cash, books every premium, payoff and liquidation close against the Pool, and
/// adds each account's options to its health.
/// @dev Every figure is USD in WAD. Mutating entry points are the engine's (which holds the shared lock), the risk
/// manager's and governance's; `settle` is anyone's and reads only the oracle.
contract OptionsBook is IOptionsBook, Roles {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 private constant WAD = 1e18;
    uint256 private constant BPS = 10_000;

    /// @inheritdoc IOptionsBook
    uint256 public constant MAX_LIVE_SERIES = 8;
    /// @inheritdoc IOptionsBook
    uint256 public constant MAX_ACCOUNT_SERIES = 4;
    /// @inheritdoc IOptionsBook
    uint256 public constant MIN_TENOR = 1 hours;
    /// @inheritdoc IOptionsBook
    uint256 public constant MAX_TENOR = 365 days;
    /// @inheritdoc IOptionsBook
    uint256 public constant STRIKE_BAND = 4;
    /// @inheritdoc IOptionsBook
    uint256 public constant MIN_VOL = 0.05e18;
    /// @inheritdoc IOptionsBook
    uint256 public constant MAX_VOL = 5e18;
    /// @inheritdoc IOptionsBook
    uint256 public constant MAX_VOL_STEP_BPS = 2_500;
    /// @inheritdoc IOptionsBook
    uint256 public constant VOL_STEP_INTERVAL = 1 hours;
    /// @notice Bounds of the risk parameters.
    uint256 public constant MAX_BASE_SPREAD_BPS = 1_000;
    uint256 public constant MAX_SLOPE_BPS = 2_000;
    uint256 public constant MAX_SPREAD_BPS = 5_000;
    uint256 public constant MIN_MARGIN_SHOCK_BPS = 500;
    uint256 public constant MIN_STRESS_SHOCK_BPS = 1_000;
    uint256 public constant MAX_SHOCK_BPS = 9_000;
    uint256 public constant MIN_VOL_SHOCK_BPS = 1_000;
    uint256 public constant MAX_VOL_SHOCK_BPS = 9_000;
    uint256 public constant MIN_MAINTENANCE_RATIO_BPS = 3_000;
    uint256 public constant MIN_SHORT_FLOOR_BPS = 50;
    uint256 public constant MAX_SHORT_FLOOR_BPS = 2_000;
    /// @notice Longest settlement TWAP window.
    uint32 public constant MAX_SETTLEMENT_WINDOW = 1 days;

    /// @inheritdoc IOptionsBook
    address public immutable engine;
    /// @inheritdoc IOptionsBook
    IOracleAggregator public immutable oracle;
    /// @inheritdoc IOptionsBook
    uint32 public immutable settlementWindow;

    /// @inheritdoc IOptionsBook
    uint256 public seriesCount;
    /// @inheritdoc IOptionsBook
    uint256 public settledLongUsd;
    /// @inheritdoc IOptionsBook
    uint256 public settledShortUsd;

    /// @dev One live position's figures (`_positionRisk`).
    struct PositionRisk {
        int256 mv;
        int256 iv;
        uint256 marginLoss;
        uint256 stressLoss;
    }

    RiskParams private _params;
    uint256[] private _live;
    mapping(uint256 seriesId => Series) private _series;
    mapping(bytes32 key => uint256 seriesId) private _seriesIdOf;
    mapping(address account => uint256[]) private _held;
    mapping(address account => mapping(uint256 seriesId => int256 size)) private _positions;
    mapping(address asset => uint256) private _vol;
    mapping(address asset => uint256) private _volSteppedAt;

    /// @param engine_ The MarginEngine (it lists the book with `listMarginProduct`).
    /// @param admin Governance (the timelock): risk parameters and the roles.
    /// @param riskManager Lists series and sets implied volatilities.
    /// @param settlementWindow_ The TWAP window of the settlement price (the oracle's minimum to one day).
    constructor(
        address engine_,
        address admin,
        address riskManager,
        RiskParams memory params,
        uint32 settlementWindow_
    ) {
        if (engine_ == address(0) || admin == address(0) || riskManager == address(0)) {
            revert ZeroAddress();
        }
        engine = engine_;
        oracle = IOracleAggregator(ICoreWiring(engine_).oracle());
        ParamBounds.check("settlementWindow", settlementWindow_, oracle.minTwapWindow(), MAX_SETTLEMENT_WINDOW);
        settlementWindow = settlementWindow_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_MANAGER_ROLE, riskManager);
        _setRiskParams(params);
    }

    modifier onlyEngine() {
        if (msg.sender != engine) revert NotEngine(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IOptionsBook
    function listSeries(address asset, uint256 strike, uint256 expiry, bool isCall, uint128 maxOpenSize)
        external
        onlyRole(RISK_MANAGER_ROLE)
        returns (uint256 seriesId)
    {
        if (maxOpenSize == 0) revert ZeroAmount();
        if (_vol[asset] == 0) revert VolNotSet(asset);
        if (_live.length >= MAX_LIVE_SERIES) revert TooManyLiveSeries(MAX_LIVE_SERIES);
        // Trading stops when the settlement window opens: a series trades for at least MIN_TENOR.
        (uint256 minExpiry, uint256 maxExpiry) =
            (block.timestamp + settlementWindow + MIN_TENOR, block.timestamp + MAX_TENOR);
        if (expiry < minExpiry || expiry > maxExpiry) revert ExpiryOutOfRange(expiry, minExpiry, maxExpiry);
        // The oracle's ring keeps at least its TWAP window: the settlement window, and as long again to settle in.
        uint256 twapWindow = oracle.getAssetConfig(asset).twapWindow;
        if (twapWindow < 2 * uint256(settlementWindow)) {
            revert OracleTwapWindowTooShort(asset, twapWindow, 2 * uint256(settlementWindow));
        }
        _checkStrike(asset, strike);
        bytes32 key = keccak256(abi.encode(asset, strike, expiry, isCall));
        uint256 existing = _seriesIdOf[key];
        if (existing != 0) revert SeriesAlreadyListed(existing);

        seriesId = ++seriesCount;
        _seriesIdOf[key] = seriesId;
        _series[seriesId] = Series(asset, uint40(expiry), isCall, false, maxOpenSize, 0, 0, strike, 0);
        _live.push(seriesId);
        emit SeriesListed(seriesId, asset, strike, expiry, isCall, maxOpenSize);
    }

    /// @dev Listing is new risk: the price must be Ok, and the strike within [low / STRIKE_BAND, high * STRIKE_BAND]
    /// of {median, TWAP}, inside the domain of `BlackScholes`.
    function _checkStrike(address asset, uint256 strike) private view {
        (uint256 low, uint256 high) = oracle.priceBounds(asset, IOracleAggregator.Action.AddRisk);
        (uint256 minStrike, uint256 maxStrike) = (low / STRIKE_BAND, high * STRIKE_BAND);
        if (minStrike < BlackScholes.MIN_PRICE) minStrike = BlackScholes.MIN_PRICE;
        if (maxStrike > BlackScholes.MAX_PRICE) maxStrike = BlackScholes.MAX_PRICE;
        if (strike < minStrike || strike > maxStrike) revert StrikeOutOfBand(strike, minStrike, maxStrike);
    }

    /// @inheritdoc IOptionsBook
    function setImpliedVol(address asset, uint256 sigma) external onlyRole(RISK_MANAGER_ROLE) {
        ParamBounds.check("impliedVol", sigma, MIN_VOL, MAX_VOL);
        uint256 current = _vol[asset];
        // The first setting (from unset) is neither bounded nor spaced, and starts no interval.
        if (current != 0) {
            uint256 maxStep = current.mulBpsDown(MAX_VOL_STEP_BPS);
            if (FixedPointMath.absDiff(sigma, current) > maxStep) {
                revert VolStepTooLarge(asset, current, sigma, maxStep);
            }
            uint256 steppedAt = _volSteppedAt[asset];
            if (steppedAt != 0 && block.timestamp < steppedAt + VOL_STEP_INTERVAL) {
                revert VolStepTooSoon(asset, steppedAt + VOL_STEP_INTERVAL, block.timestamp);
            }
            _volSteppedAt[asset] = block.timestamp;
        }
        _vol[asset] = sigma;
        emit ImpliedVolSet(asset, current, sigma);
    }

    /// @inheritdoc IOptionsBook
    function setRiskParams(RiskParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRiskParams(params);
    }

    function _setRiskParams(RiskParams memory p) private {
        ParamBounds.check("baseSpreadBps", p.baseSpreadBps, 0, MAX_BASE_SPREAD_BPS);
        ParamBounds.check("slopeBps", p.slopeBps, 0, MAX_SLOPE_BPS);
        ParamBounds.check("maxSpreadBps", p.maxSpreadBps, p.baseSpreadBps, MAX_SPREAD_BPS);
        ParamBounds.check("marginShockBps", p.marginShockBps, MIN_MARGIN_SHOCK_BPS, MAX_SHOCK_BPS);
        ParamBounds.check("stressShockBps", p.stressShockBps, MIN_STRESS_SHOCK_BPS, MAX_SHOCK_BPS);
        ParamBounds.check("volShockBps", p.volShockBps, MIN_VOL_SHOCK_BPS, MAX_VOL_SHOCK_BPS);
        ParamBounds.check("maintenanceRatioBps", p.maintenanceRatioBps, MIN_MAINTENANCE_RATIO_BPS, BPS);
        ParamBounds.check("shortFloorBps", p.shortFloorBps, MIN_SHORT_FLOOR_BPS, MAX_SHORT_FLOOR_BPS);
        _params = p;
        emit RiskParamsSet(p);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc IOptionsBook
    function settle(uint256 seriesId) external returns (uint256 settlementPrice) {
        Series storage s = _existing(seriesId);
        if (s.settled) revert SeriesAlreadySettled(seriesId);
        uint256 expiry = s.expiry;
        if (block.timestamp < expiry) revert SeriesNotExpired(seriesId, expiry, block.timestamp);
        bool atExpiry;
        (settlementPrice, atExpiry) = _settlementPrice(s.asset, expiry);
        (s.settled, s.settlementPrice) = (true, settlementPrice);
        // What the open positions are owed and owe, until each is realized (longs rounded up, shorts down: each
        // account's payoff is rounded the other way, so their sums never exceed these).
        uint256 unit = OptionPricing.unitPayoff(s.isCall, settlementPrice, s.strike);
        settledLongUsd += uint256(s.longOpen).mulWadUp(unit);
        settledShortUsd += uint256(s.shortOpen).mulWadDown(unit);
        _removeLive(seriesId);
        emit Settled(seriesId, settlementPrice, atExpiry, block.timestamp - expiry);
    }

    /// @dev The settlement price of a series on `asset` expiring at `expiry`. Recorded (`atExpiry`): the oracle's ring
    /// observed the whole settlement window ending at expiry with fixed observations: that TWAP, whatever the status
    /// now (it cannot change). Else as strict as a liquidation (any status but Stale): a wound-down asset's fixed
    /// price; else the TWAP over the part of the window observed when that is at least half of it (`_expiryTwap`),
    /// else the TWAP over the window ending now.
    function _settlementPrice(address asset, uint256 expiry) private view returns (uint256 price, bool atExpiry) {
        (uint256 twapAtExpiry, bool recorded, bool usable) = _expiryTwap(asset, expiry);
        if (recorded) return (twapAtExpiry, true);
        uint256 liquidationPrice = oracle.priceForLiquidation(asset, true);
        if (oracle.status(asset) == IOracleAggregator.Status.WindDown) return (liquidationPrice, false);
        price = usable ? twapAtExpiry : oracle.twap(asset, settlementWindow);
    }

    /// @dev The TWAP of `asset` over the settlement window ending at `expiry`, from the oracle's fixed observations
    /// only: `recorded` when they cover the whole window; else `usable` when they cover at least half of it (and at
    /// least the oracle's minimum TWAP window), `price` then being the TWAP over the part they cover. The rest of the
    /// window is not used: it is the stored median extending the newest observation or, in a full ring, part of the
    /// newest slot, which moves forward in place and so averages in prices from after expiry (a price that would
    /// depend on the prices after expiry and on when `settle` is called).
    function _expiryTwap(address asset, uint256 expiry)
        private
        view
        returns (uint256 price, bool recorded, bool usable)
    {
        uint32 window = settlementWindow;
        bool complete;
        uint32 observed;
        (price, complete, observed) = oracle.twapEndingAt(asset, window, uint32(expiry));
        if (complete && observed >= window) return (price, true, true);
        if (2 * uint256(observed) < window || observed < oracle.minTwapWindow()) return (price, false, false);
        if (complete) {
            // The ring holds the window's start: the observed part is [start, start + observed], all fixed.
            uint256 observedEnd = expiry - window + observed;
            (price,,) = oracle.twapEndingAt(asset, observed, uint32(observedEnd));
            return (price, false, true);
        }
        // The ring lost the window's start: `price` covers [oldest observation, expiry], usable when it is all fixed
        // (the newest fixed observation at or after expiry: a short span ending at expiry is observed whole).
        uint32 minWindow = oracle.minTwapWindow();
        (,, uint32 tail) = oracle.twapEndingAt(asset, minWindow, uint32(expiry));
        usable = tail >= minWindow;
    }

    // ---------------------------------------------------------------- the engine's

    /// @inheritdoc IMarginProduct
    /// @dev `action` is an abi-encoded `Trade`. Settled positions are realized first (at their payoff), then the trade
    /// at the model price plus the spread.
    function execute(address account, bytes calldata action)
        external
        onlyEngine
        returns (int256 cashUsd, bool addsRisk, bool holds, bytes memory result)
    {
        Trade memory t = abi.decode(action, (Trade));
        uint256 heldBefore = _held[account].length;
        cashUsd = _realizeSettled(account);
        int256 tradeCash = 0;
        uint256 spreadBps = 0;
        if (t.delta != 0) {
            (tradeCash, spreadBps, addsRisk) = _trade(account, t.seriesId, t.delta);
            if (tradeCash < t.limitUsd) revert LimitNotMet(tradeCash, t.limitUsd);
            cashUsd += tradeCash;
        } else if (_held[account].length == heldBefore) {
            revert NothingToDo(account);
        }
        holds = _held[account].length != 0;
        result = abi.encode(tradeCash, spreadBps);
    }

    /// @inheritdoc IMarginProduct
    function closeForLiquidation(address account, uint256 fractionBps)
        external
        onlyEngine
        returns (uint256 closedUsd, int256 cashUsd, bool holds)
    {
        cashUsd = _realizeSettled(account);
        uint256[] storage held = _held[account];
        RiskParams memory p = _params;
        for (uint256 i = held.length; i > 0; --i) {
            uint256 seriesId = held[i - 1];
            (uint256 base, int256 cash) = _liquidate(account, seriesId, fractionBps, p);
            closedUsd += base;
            cashUsd += cash;
        }
        holds = held.length != 0;
    }

    /// @dev Close `fractionBps` of `account`'s position in a live series at the liquidation price better for it (all
    /// of it when less than a thousandth would remain). The penalty base: the value closed plus the maintenance
    /// margin it released.
    function _liquidate(address account, uint256 seriesId, uint256 fractionBps, RiskParams memory p)
        private
        returns (uint256 base, int256 cash)
    {
        Series storage s = _series[seriesId];
        int256 size = _positions[account][seriesId];
        int256 closed = _closing(size, fractionBps);
        uint256 marginLoss;
        (cash, marginLoss) = _closeValue(s, closed, p);
        base = _abs(cash) + (closed > 0 ? 0 : marginLoss.mulBpsUp(p.maintenanceRatioBps));
        _applyTrade(s, account, seriesId, size, -closed);
        emit PositionLiquidated(seriesId, account, closed, cash);
    }

    /// @dev The part of `size` a liquidation of `fractionBps` closes (signed as `size`).
    function _closing(int256 size, uint256 fractionBps) private pure returns (int256) {
        uint256 abs = _abs(size);
        uint256 closing = abs.mulDivUp(fractionBps, BPS);
        if (closing >= abs || abs - closing < abs / 1000) closing = abs;
        return size > 0 ? int256(closing) : -int256(closing);
    }

    /// @dev The value of `closed` at the liquidation price better for the account, and its margin-scenario loss.
    function _closeValue(Series storage s, int256 closed, RiskParams memory p)
        private
        view
        returns (int256 mv, uint256 marginLoss)
    {
        (uint256 low, uint256 high) = _liveRange(s, true);
        PositionRisk memory pr = _positionRisk(s, closed, low, high, p);
        return (pr.mv, pr.marginLoss);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarginProduct
    /// @dev Per live position, one Black-Scholes value at each end of {median, TWAP} and one per scenario: the
    /// margin scenario (price moved `marginShockBps` against the position, volatility `volShockBps` against it) and
    /// the stress scenario (`stressShockBps`). Initial margin and stress loss are those losses from the worse value,
    /// less the options' positive worth (the engine counts no unrealized gain towards initial equity); maintenance is
    /// `maintenanceRatioBps` of the shorts' margin-scenario loss. A settled position is worth its payoff.
    function accountRisk(address account, bool liquidation) external view returns (AccountRisk memory r) {
        uint256[] storage held = _held[account];
        RiskParams memory p = _params;
        // The margin and stress scenarios' losses, summed.
        // The margin and stress scenarios' losses summed, and the live positions' initial value.
        int256[3] memory sums = [int256(0), 0, 0];
        for (uint256 i = 0; i < held.length; ++i) {
            _addPosition(r, sums, account, held[i], liquidation, p);
        }
        // Losses beyond what the options are worth, w = max(0, min(iv, live iv)): equity + min(iv, 0) >= loss - w
        // implies equity + iv >= loss. Realizing a settled long (its payoff into cash) leaves w, so the margin, as it
        // is: a payout is never new risk.
        int256 live = sums[2] < r.initialValue ? sums[2] : r.initialValue;
        uint256 worth = live > 0 ? uint256(live) : 0;
        (uint256 marginLoss, uint256 stressLoss) = (uint256(sums[0]), uint256(sums[1]));
        r.initialMargin = marginLoss > worth ? marginLoss - worth : 0;
        r.stressLoss = stressLoss > worth ? stressLoss - worth : 0;
    }

    /// @dev Add one of `account`'s positions to its figures.
    function _addPosition(
        AccountRisk memory r,
        int256[3] memory sums,
        address account,
        uint256 seriesId,
        bool liquidation,
        RiskParams memory p
    ) private view {
        Series storage s = _series[seriesId];
        int256 size = _positions[account][seriesId];
        if (s.settled) {
            int256 payoff = _settledPayoff(s, size);
            (r.maintenanceValue, r.initialValue) = (r.maintenanceValue + payoff, r.initialValue + payoff);
            return;
        }
        (uint256 low, uint256 high) = _liveRange(s, liquidation);
        _addLive(r, sums, _positionRisk(s, size, low, high, p), size < 0 ? p.maintenanceRatioBps : 0);
    }

    /// @dev The price range a live position is valued at: the stored {median, TWAP} (whatever the status), or the
    /// liquidation bounds for a liquidation; once expired, the settlement window's TWAP when the oracle recorded it
    /// (what `settle` will fix).
    function _liveRange(Series storage s, bool liquidation) private view returns (uint256 low, uint256 high) {
        if (block.timestamp >= s.expiry) {
            (uint256 atExpiry, bool recorded,) = _expiryTwap(s.asset, s.expiry);
            if (recorded) return (atExpiry, atExpiry);
        }
        return liquidation ? oracle.priceBounds(s.asset, IOracleAggregator.Action.Liquidate) : _range(s.asset, false);
    }

    /// @dev Add a live position's figures; `maintenanceRatioBps` is 0 for a long (no maintenance margin).
    function _addLive(AccountRisk memory r, int256[3] memory sums, PositionRisk memory pr, uint256 maintenanceRatioBps)
        private
        pure
    {
        (r.maintenanceValue, r.initialValue) = (r.maintenanceValue + pr.mv, r.initialValue + pr.iv);
        (sums[0], sums[1], sums[2]) =
        (sums[0] + int256(pr.marginLoss), sums[1] + int256(pr.stressLoss), sums[2] + pr.iv);
        r.maintenanceMargin += pr.marginLoss.mulBpsUp(maintenanceRatioBps);
    }

    /// @dev The payoff of `size` of a settled series, rounded towards the Pool.
    function _settledPayoff(Series storage s, int256 size) private view returns (int256) {
        return OptionPricing.positionPayoffDown(size, OptionPricing.unitPayoff(s.isCall, s.settlementPrice, s.strike));
    }

    /// @inheritdoc IMarginProduct
    function checkPrices(address account, IOracleAggregator.Action action) external view {
        uint256[] storage held = _held[account];
        for (uint256 i = 0; i < held.length; ++i) {
            Series storage s = _series[held[i]];
            if (!s.settled) oracle.priceBounds(s.asset, action);
        }
    }

    /// @inheritdoc ITraderBook
    /// @dev O(live series), at most MAX_LIVE_SERIES. The accounts' PnL against the Pool is the mark of their
    /// positions: at the lower end the longs at their lower bound and the price worse for a long, the shorts at
    /// their upper bound and the price better for a long; at the upper end the other way round; an expired,
    /// unsettled series at its recorded settlement TWAP, else at its intrinsic value over {median, TWAP} widened to
    /// the fallback settlement price; plus the settled positions not yet realized. Reserved: the longs' payoff at
    /// the stressed price (`OptionPricing.reserveUp`: a call at the upper price times 1 + stressShockBps, its payoff
    /// having no bound; a put at the lower price times 1 - stressShockBps) and the settled longs' payoff. No
    /// provision: the engine provisions for its accounts.
    function poolExposure(bool enforceRiskStatus)
        external
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd, uint256 provisionUsd)
    {
        uint256 stressShock = _params.stressShockBps;
        uint256 n = _live.length;
        for (uint256 i = 0; i < n; ++i) {
            (int256 atLow, int256 atHigh, uint256 reserved) =
                _seriesExposure(_series[_live[i]], enforceRiskStatus, stressShock);
            (pnlLow, pnlHigh, reservedUsd) = (pnlLow + atLow, pnlHigh + atHigh, reservedUsd + reserved);
        }
        int256 settled = settledLongUsd.toInt256() - settledShortUsd.toInt256();
        (pnlLow, pnlHigh) = (pnlLow + settled, pnlHigh + settled);
        reservedUsd += settledLongUsd;
        provisionUsd = 0;
    }

    /// @inheritdoc IOptionsBook
    function quote(uint256 seriesId, int256 delta) external view returns (int256 cashUsd, uint256 spreadBps) {
        Series storage s = _existing(seriesId);
        (uint256 longAfter, uint256 shortAfter) = (s.longOpen, s.shortOpen);
        // The open interest after the trade, as if the trader held nothing (the spread and caps it would see at most).
        if (delta > 0) longAfter += uint256(delta);
        else shortAfter += uint256(-delta);
        return _price(s, seriesId, delta, longAfter, shortAfter, true);
    }

    /// @inheritdoc IOptionsBook
    function series(uint256 seriesId) external view returns (Series memory) {
        return _existing(seriesId);
    }

    /// @inheritdoc IOptionsBook
    function positionOf(address account, uint256 seriesId) external view returns (int256) {
        return _positions[account][seriesId];
    }

    /// @inheritdoc IOptionsBook
    function accountSeries(address account) external view returns (uint256[] memory) {
        return _held[account];
    }

    /// @inheritdoc IOptionsBook
    function liveSeries() external view returns (uint256[] memory) {
        return _live;
    }

    /// @inheritdoc IOptionsBook
    function impliedVol(address asset) external view returns (uint256) {
        return _vol[asset];
    }

    /// @inheritdoc IOptionsBook
    function riskParams() external view returns (RiskParams memory) {
        return _params;
    }

    // ---------------------------------------------------------------- internals: trading

    /// @dev Trade `delta` of a series for `account`: the cash it moves (premium or proceeds), the spread, and whether
    /// the account's position grew in size (or changed side).
    function _trade(address account, uint256 seriesId, int256 delta)
        private
        returns (int256 cashUsd, uint256 spreadBps, bool addsRisk)
    {
        Series storage s = _existing(seriesId);
        int256 size = _positions[account][seriesId];
        int256 after_ = size + delta;
        addsRisk = _abs(after_) > _abs(size) || (size > 0 && after_ < 0) || (size < 0 && after_ > 0);
        (uint256 longAfter, uint256 shortAfter) = _openAfter(s, size, after_);
        (cashUsd, spreadBps) = _price(s, seriesId, delta, longAfter, shortAfter, addsRisk);
        if (size == 0) {
            if (_held[account].length >= MAX_ACCOUNT_SERIES) revert TooManyAccountSeries(account, MAX_ACCOUNT_SERIES);
        }
        _applyTrade(s, account, seriesId, size, delta);
        emit OptionTraded(seriesId, account, delta, after_, cashUsd, spreadBps);
    }

    /// @dev The premium (negative cash) or proceeds of `delta` at the model price worse for the trader plus the spread
    /// at the open interest after the trade; reverts past the caps or once trading closed.
    function _price(
        Series storage s,
        uint256 seriesId,
        int256 delta,
        uint256 longAfter,
        uint256 shortAfter,
        bool addsRisk
    ) private view returns (int256 cashUsd, uint256 spreadBps) {
        uint256 tau = _timeToTrade(s, seriesId);
        uint256 cap = s.maxOpenSize;
        if (longAfter > cap) revert OpenSizeExceeded(seriesId, longAfter, cap);
        if (shortAfter > cap) revert OpenSizeExceeded(seriesId, shortAfter, cap);
        bool buying = delta > 0;
        // The Pool's net exposure after the trade, on the side the trade adds to (short when accounts are net long).
        uint256 net = buying
            ? (longAfter > shortAfter ? longAfter - shortAfter : 0)
            : (shortAfter > longAfter ? shortAfter - longAfter : 0);
        RiskParams memory p = _params;
        spreadBps = OptionPricing.spreadBpsUp(p.baseSpreadBps, p.slopeBps, p.maxSpreadBps, net, cap);
        cashUsd = _premium(s, buying, _abs(delta), spreadBps, tau, addsRisk);
    }

    /// @dev The price worse for the trader: a buyer pays the upper bound at the end of {low, high} where the option
    /// is worth more (better for a long: a call's upper price) plus the spread; a seller gets the lower bound at the
    /// end where it is worth less (a call's lower price) less the spread. A one-block round trip never returns more
    /// than it cost, whatever the gap between median and TWAP.
    function _premium(Series storage s, bool buying, uint256 size, uint256 spreadBps, uint256 tau, bool addsRisk)
        private
        view
        returns (int256)
    {
        (uint256 low, uint256 high) =
            oracle.priceBounds(s.asset, addsRisk ? IOracleAggregator.Action.AddRisk : IOracleAggregator.Action.Reduce);
        (bool isCall, uint256 strike, uint256 sigma) = (s.isCall, s.strike, _vol[s.asset]);
        uint256 spot = OptionPricing.spotFor(isCall, true, buying, low, high);
        if (buying) {
            uint256 unit = OptionPricing.unitValueUp(isCall, spot, strike, sigma, tau);
            return -OptionPricing.askUp(size, unit, spreadBps).toInt256();
        }
        uint256 unitDown = OptionPricing.unitValueDown(isCall, spot, strike, sigma, tau);
        return OptionPricing.bidDown(size, unitDown, spreadBps).toInt256();
    }

    /// @dev The series' long and short totals once an account's position goes from `size` to `after_`.
    function _openAfter(Series storage s, int256 size, int256 after_) private view returns (uint256, uint256) {
        uint256 longOpen = uint256(s.longOpen) - (size > 0 ? uint256(size) : 0) + (after_ > 0 ? uint256(after_) : 0);
        uint256 shortOpen = uint256(s.shortOpen) - (size < 0 ? uint256(-size) : 0) + (after_ < 0 ? uint256(-after_) : 0);
        return (longOpen, shortOpen);
    }

    /// @dev Book `account`'s position from `size` to `size + delta` and the series' totals; keep the held list.
    function _applyTrade(Series storage s, address account, uint256 seriesId, int256 size, int256 delta) private {
        int256 after_ = size + delta;
        (uint256 longOpen, uint256 shortOpen) = _openAfter(s, size, after_);
        (s.longOpen, s.shortOpen) = (longOpen.toUint128(), shortOpen.toUint128());
        _positions[account][seriesId] = after_;
        if (size == 0 && after_ != 0) _held[account].push(seriesId);
        else if (size != 0 && after_ == 0) _removeHeld(account, seriesId);
    }

    /// @dev Realize `account`'s positions in settled series at their payoff: the cash they move (payoffs to longs,
    /// from shorts).
    function _realizeSettled(address account) private returns (int256 cashUsd) {
        uint256[] storage held = _held[account];
        for (uint256 i = held.length; i > 0; --i) {
            uint256 seriesId = held[i - 1];
            Series storage s = _series[seriesId];
            if (!s.settled) continue;
            int256 size = _positions[account][seriesId];
            int256 payoff = _settledPayoff(s, size);
            if (payoff >= 0) settledLongUsd -= _min(uint256(payoff), settledLongUsd);
            else settledShortUsd -= _min(uint256(-payoff), settledShortUsd);
            cashUsd += payoff;
            _applyTrade(s, account, seriesId, size, -size);
            emit PositionSettled(seriesId, account, size, payoff);
        }
    }

    // ---------------------------------------------------------------- internals: valuation

    /// @dev One live position's figures at {`low`, `high`}: its value at the price better for it (maintenance) and
    /// worse for it (initial), and its losses from the worse value in the margin and stress scenarios (each at least
    /// 0). At or after expiry (tau = 0) the values are intrinsic.
    function _positionRisk(Series storage s, int256 size, uint256 low, uint256 high, RiskParams memory p)
        private
        view
        returns (PositionRisk memory pr)
    {
        (bool isCall, uint256 strike, uint256 sigma) = (s.isCall, s.strike, _vol[s.asset]);
        uint256 tau = BlackScholes.timeToExpiry(s.expiry, block.timestamp);
        bool long = size > 0;
        pr.mv = OptionPricing.positionValueDown(
            size, isCall, OptionPricing.spotFor(isCall, long, true, low, high), strike, sigma, tau
        );
        pr.iv = OptionPricing.positionValueDown(
            size, isCall, OptionPricing.spotFor(isCall, long, false, low, high), strike, sigma, tau
        );
        sigma = OptionPricing.scenarioVol(sigma, long, p.volShockBps);
        uint256 spot = OptionPricing.scenarioSpot(isCall, long, low, high, p.marginShockBps);
        pr.marginLoss = _loss(pr.iv, OptionPricing.positionValueDown(size, isCall, spot, strike, sigma, tau));
        spot = OptionPricing.scenarioSpot(isCall, long, low, high, p.stressShockBps);
        pr.stressLoss = _loss(pr.iv, OptionPricing.positionValueDown(size, isCall, spot, strike, sigma, tau));
        if (!long) {
            uint256 floor = uint256(-size).mulWadUp(OptionPricing.clampSpot(high)).mulBpsUp(p.shortFloorBps);
            if (pr.marginLoss < floor) pr.marginLoss = floor;
            if (pr.stressLoss < floor) pr.stressLoss = floor;
        }
    }

    /// @dev One live series' part of `poolExposure`.
    function _seriesExposure(Series storage s, bool enforce, uint256 stressShock)
        private
        view
        returns (int256 atLow, int256 atHigh, uint256 reserved)
    {
        (uint256 longOpen, uint256 shortOpen) = (s.longOpen, s.shortOpen);
        if (longOpen == 0 && shortOpen == 0) return (0, 0, 0);
        (uint256 low, uint256 high) = _range(s.asset, enforce);
        uint256 tau = BlackScholes.timeToExpiry(s.expiry, block.timestamp);
        if (block.timestamp >= s.expiry) (low, high) = _withExpiryPrice(s, low, high);
        (atLow, atHigh) = _seriesPnl(s, longOpen, shortOpen, low, high, tau);
        reserved = OptionPricing.reserveUp(s.isCall, longOpen, s.strike, low, high, stressShock);
    }

    /// @dev The accounts' net PnL on a series at the two ends: longs are owed their value, shorts owe theirs.
    function _seriesPnl(Series storage s, uint256 longOpen, uint256 shortOpen, uint256 low, uint256 high, uint256 tau)
        private
        view
        returns (int256 atLow, int256 atHigh)
    {
        // An option is worth least at the price worse for a long (a call's lower price) and most at the other.
        (uint256 unitLow, uint256 unitHigh) = _unitRange(s, low, high, tau);
        atLow = longOpen.mulWadDown(unitLow).toInt256() - shortOpen.mulWadUp(unitHigh).toInt256();
        atHigh = longOpen.mulWadUp(unitHigh).toInt256() - shortOpen.mulWadDown(unitLow).toInt256();
    }

    /// @dev One unit's lower bound at the price worse for a long and upper bound at the price better for it.
    function _unitRange(Series storage s, uint256 low, uint256 high, uint256 tau)
        private
        view
        returns (uint256 unitLow, uint256 unitHigh)
    {
        (bool isCall, uint256 strike, uint256 sigma) = (s.isCall, s.strike, _vol[s.asset]);
        (uint256 worse, uint256 better) = isCall ? (low, high) : (high, low);
        unitLow = OptionPricing.unitValueDown(isCall, worse, strike, sigma, tau);
        unitHigh = OptionPricing.unitValueUp(isCall, better, strike, sigma, tau);
    }

    /// @dev The range an expired, unsettled series is valued at in the Pool's exposure: the settlement window's TWAP
    /// when the oracle recorded it (what `settle` will fix); else {low, high} widened to the price a fallback
    /// settlement would book now (the TWAP over the fixed part of the window, or over the window ending now).
    function _withExpiryPrice(Series storage s, uint256 low, uint256 high) private view returns (uint256, uint256) {
        (uint256 atExpiry, bool recorded, bool usable) = _expiryTwap(s.asset, s.expiry);
        if (recorded) return (atExpiry, atExpiry);
        if (!usable) atExpiry = oracle.twap(s.asset, settlementWindow);
        return (atExpiry < low ? atExpiry : low, atExpiry > high ? atExpiry : high);
    }

    // ---------------------------------------------------------------- internals: helpers

    function _existing(uint256 seriesId) private view returns (Series storage s) {
        s = _series[seriesId];
        if (s.asset == address(0)) revert SeriesNotFound(seriesId);
    }

    /// @dev Seconds to expiry of a series that still trades: until its settlement window opens (its payoff, the TWAP
    /// over that window, is partly known from then on).
    function _timeToTrade(Series storage s, uint256 seriesId) private view returns (uint256) {
        uint256 expiry = s.expiry;
        if (block.timestamp >= expiry) revert SeriesExpired(seriesId, expiry, block.timestamp);
        uint256 closesAt = expiry - settlementWindow;
        if (block.timestamp >= closesAt) revert TradingClosed(seriesId, closesAt, expiry, block.timestamp);
        return expiry - block.timestamp;
    }

    /// @dev {median, TWAP} of `asset`: policy-checked for valuing the Pool when `enforce`, else whatever the status
    /// (a view the engine needs for liveness never reverts on a price).
    function _range(address asset, bool enforce) private view returns (uint256 low, uint256 high) {
        if (enforce) return oracle.priceBounds(asset, IOracleAggregator.Action.Value);
        PriceRange.Range memory r = PriceRange.fromData(oracle.getPriceData(asset));
        return (r.low, r.high);
    }

    function _removeLive(uint256 seriesId) private {
        _removeFrom(_live, seriesId);
    }

    function _removeHeld(address account, uint256 seriesId) private {
        _removeFrom(_held[account], seriesId);
    }

    function _removeFrom(uint256[] storage list, uint256 seriesId) private {
        uint256 last = list.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (list[i] == seriesId) {
                list[i] = list[last];
                list.pop();
                return;
            }
        }
    }

    function _loss(int256 from, int256 to) private pure returns (uint256) {
        return from > to ? uint256(from - to) : 0;
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
