// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";
import {IMarginProduct} from "./IMarginProduct.sol";
import {IOracleAggregator} from "./IOracleAggregator.sol";

/// @title IOptionsBookTypes
/// @notice The options book's structs, errors and events.
interface IOptionsBookTypes is IErrors {
    /// @notice One series: a European, cash-settled call or put on a pool asset.
    /// @param asset The underlying (priced by the OracleAggregator).
    /// @param expiry Unix time of expiry.
    /// @param isCall True for a call (payoff max(S - K, 0)), false for a put (max(K - S, 0)).
    /// @param settled Whether `settle` fixed the settlement price.
    /// @param maxOpenSize The most the accounts may hold long, and the most they may hold short (WAD units).
    /// @param longOpen The accounts' long positions in total (the Pool is short them).
    /// @param shortOpen The accounts' short positions in total (the Pool is long them).
    /// @param strike The strike (WAD USD).
    /// @param settlementPrice The price `settle` fixed (WAD USD), 0 before.
    struct Series {
        address asset;
        uint40 expiry;
        bool isCall;
        bool settled;
        uint128 maxOpenSize;
        uint128 longOpen;
        uint128 shortOpen;
        uint256 strike;
        uint256 settlementPrice;
    }

    /// @notice The book's pricing and margin parameters (governed).
    /// @param baseSpreadBps The spread over the model price with no net exposure.
    /// @param slopeBps The spread added per unit of the Pool's net exposure to the series, relative to its maximum.
    /// @param maxSpreadBps The widest spread.
    /// @param marginShockBps The price move of the margin scenario (initial margin; maintenance is a share of it).
    /// @param stressShockBps The price move of the joint stress scenario; also the stressed price a long's reserve
    /// assumes (up for a call, down for a put).
    /// @param volShockBps The implied-volatility move of both scenarios (up for a short, down for a long).
    /// @param maintenanceRatioBps Maintenance margin as a share of a short position's margin-scenario loss.
    /// @param shortFloorBps The least margin-scenario and stress loss of a short position, in bps of its size at the
    /// upper price (an out-of-the-money short close to expiry is never margined at nothing).
    struct RiskParams {
        uint16 baseSpreadBps;
        uint16 slopeBps;
        uint16 maxSpreadBps;
        uint32 marginShockBps;
        uint32 stressShockBps;
        uint16 volShockBps;
        uint16 maintenanceRatioBps;
        uint16 shortFloorBps;
    }

    /// @notice What `execute` decodes from a trader's action (`MarginEngine.tradeProduct`).
    /// @param seriesId The series traded (ignored when `delta` is 0).
    /// @param delta Units bought (positive) or sold (negative); 0 only realizes the settled positions.
    /// @param limitUsd The least cash the trade may move to the account (USD WAD): minus the most premium a buyer
    /// pays, or the least a seller receives.
    struct Trade {
        uint256 seriesId;
        int256 delta;
        int256 limitUsd;
    }

    // ---------------------------------------------------------------- errors

    /// @notice The caller is not the MarginEngine.
    error NotEngine(address caller);
    /// @notice No series has this id.
    error SeriesNotFound(uint256 seriesId);
    /// @notice A series with the same asset, strike, expiry and type exists.
    error SeriesAlreadyListed(uint256 seriesId);
    /// @notice The series is past its expiry.
    error SeriesExpired(uint256 seriesId, uint256 expiry, uint256 timestamp);
    /// @notice The series' settlement window opened: it no longer trades.
    error TradingClosed(uint256 seriesId, uint256 closesAt, uint256 expiry, uint256 timestamp);
    /// @notice The series has not expired.
    error SeriesNotExpired(uint256 seriesId, uint256 expiry, uint256 timestamp);
    /// @notice The series is already settled.
    error SeriesAlreadySettled(uint256 seriesId);
    /// @notice The expiry is outside [min, max].
    error ExpiryOutOfRange(uint256 expiry, uint256 min, uint256 max);
    /// @notice The strike is outside [min, max] around the current price.
    error StrikeOutOfBand(uint256 strike, uint256 min, uint256 max);
    /// @notice As many series as the book allows are live.
    error TooManyLiveSeries(uint256 max);
    /// @notice The account holds as many series as the book allows.
    error TooManyAccountSeries(address account, uint256 max);
    /// @notice No implied volatility is set for the asset.
    error VolNotSet(address asset);
    /// @notice The oracle's TWAP window of the asset is too short to keep the settlement window until settlement.
    error OracleTwapWindowTooShort(address asset, uint256 twapWindow, uint256 minTwapWindow);
    /// @notice A volatility step came before the next one is allowed.
    error VolStepTooSoon(address asset, uint256 nextStepAt, uint256 timestamp);
    /// @notice A volatility step is larger than allowed.
    error VolStepTooLarge(address asset, uint256 current, uint256 requested, uint256 maxStep);
    /// @notice The trade would take the accounts' long or short total above the series' maximum.
    error OpenSizeExceeded(uint256 seriesId, uint256 openAfter, uint256 maxOpenSize);
    /// @notice The trade moves less cash to the account than its limit (a premium above the buyer's maximum, or
    /// proceeds below the seller's minimum).
    error LimitNotMet(int256 cashUsd, int256 limitUsd);
    /// @notice The action neither trades nor realizes a settled position.
    error NothingToDo(address account);

    // ---------------------------------------------------------------- events

    /// @notice The risk manager listed a series.
    event SeriesListed(
        uint256 indexed seriesId,
        address indexed asset,
        uint256 strike,
        uint256 expiry,
        bool isCall,
        uint256 maxOpenSize
    );
    /// @notice The implied volatility of `asset` moved.
    event ImpliedVolSet(address indexed asset, uint256 previous, uint256 sigma);
    /// @notice Governance set the risk parameters.
    event RiskParamsSet(RiskParams params);
    /// @notice `account` traded `delta` of a series; `cashUsd` is what it paid (negative) or received.
    event OptionTraded(
        uint256 indexed seriesId,
        address indexed account,
        int256 delta,
        int256 sizeAfter,
        int256 cashUsd,
        uint256 spreadBps
    );
    /// @notice A series' settlement price was fixed.
    /// @param atExpiry Whether it is the TWAP over the settlement window ending at expiry (else the fallback rule).
    event Settled(uint256 indexed seriesId, uint256 settlementPrice, bool atExpiry, uint256 delay);
    /// @notice `account`'s position in a settled series was realized at its payoff.
    event PositionSettled(uint256 indexed seriesId, address indexed account, int256 size, int256 payoffUsd);
    /// @notice A liquidation closed `closed` of `account`'s position at the model price.
    event PositionLiquidated(uint256 indexed seriesId, address indexed account, int256 closed, int256 cashUsd);
}

/// @title IOptionsBook
/// @notice European, cash-settled options on pool assets, a margin product of the MarginEngine
/// (docs/design.md#options). Accounts buy and sell through `MarginEngine.tradeProduct`; the Pool is the counterparty.
/// A long pays its premium from the account's cash; a short receives it and is margined by scenarios; both join the
/// account's health with its collateral and perps, and a liquidation closes them with the perps.
interface IOptionsBook is IOptionsBookTypes, IMarginProduct {
    // ---------------------------------------------------------------- governance

    /// @notice List a series (risk manager). The expiry lies in [now + settlementWindow + MIN_TENOR, now + MAX_TENOR],
    /// the strike within STRIKE_BAND of the current price, the asset's implied volatility set and its oracle TWAP
    /// window at least twice the settlement window.
    function listSeries(address asset, uint256 strike, uint256 expiry, bool isCall, uint128 maxOpenSize)
        external
        returns (uint256 seriesId);

    /// @notice Set the implied volatility of `asset` (risk manager): in [MIN_VOL, MAX_VOL]; after the first setting,
    /// at most MAX_VOL_STEP_BPS of the current value per step and one step per VOL_STEP_INTERVAL.
    function setImpliedVol(address asset, uint256 sigma) external;

    /// @notice Set the risk parameters (governance), each within its bound.
    function setRiskParams(RiskParams calldata params) external;

    // ---------------------------------------------------------------- anyone

    /// @notice Fix the settlement price of an expired series: the oracle's TWAP over the settlement window ending at
    /// expiry when its ring observed all of it; else, as strict as a liquidation, the TWAP over the part it observed
    /// when that is at least half the window, else the TWAP over the window ending now (a wound-down asset: its fixed
    /// price). Positions are then worth their payoff and are realized at the account's next trade or liquidation.
    function settle(uint256 seriesId) external returns (uint256 settlementPrice);

    // ---------------------------------------------------------------- views

    /// @notice The cash a trade of `delta` would move to the account now (negative: a premium paid) and its spread.
    function quote(uint256 seriesId, int256 delta) external view returns (int256 cashUsd, uint256 spreadBps);

    /// @notice The series `seriesId`.
    function series(uint256 seriesId) external view returns (Series memory);

    /// @notice `account`'s position in a series (WAD units, negative when short).
    function positionOf(address account, uint256 seriesId) external view returns (int256);

    /// @notice The series `account` holds (at most MAX_ACCOUNT_SERIES).
    function accountSeries(address account) external view returns (uint256[] memory);

    /// @notice The listed series not yet settled (at most MAX_LIVE_SERIES).
    function liveSeries() external view returns (uint256[] memory);

    /// @notice The number of series ever listed (ids run from 1).
    function seriesCount() external view returns (uint256);

    /// @notice The implied volatility of `asset` (WAD per year), 0 when unset.
    function impliedVol(address asset) external view returns (uint256);

    /// @notice The risk parameters.
    function riskParams() external view returns (RiskParams memory);

    /// @notice What the Pool owes the long positions of settled series not yet realized (USD WAD).
    function settledLongUsd() external view returns (uint256);

    /// @notice What the short positions of settled series not yet realized owe the Pool (USD WAD).
    function settledShortUsd() external view returns (uint256);

    /// @notice The settlement TWAP window (seconds).
    function settlementWindow() external view returns (uint32);

    /// @notice The MarginEngine the book serves.
    function engine() external view returns (address);

    /// @notice The OracleAggregator it prices from.
    function oracle() external view returns (IOracleAggregator);

    /// @notice Most series live at once.
    function MAX_LIVE_SERIES() external view returns (uint256);

    /// @notice Most series one account holds.
    function MAX_ACCOUNT_SERIES() external view returns (uint256);

    /// @notice Shortest time a series trades (seconds, before its settlement window).
    function MIN_TENOR() external view returns (uint256);

    /// @notice Longest time to expiry at listing (seconds).
    function MAX_TENOR() external view returns (uint256);

    /// @notice A strike lies within [low / STRIKE_BAND, high * STRIKE_BAND] of the current price at listing.
    function STRIKE_BAND() external view returns (uint256);

    /// @notice Smallest implied volatility (WAD per year).
    function MIN_VOL() external view returns (uint256);

    /// @notice Largest implied volatility (WAD per year).
    function MAX_VOL() external view returns (uint256);

    /// @notice Largest volatility step, in bps of the current value.
    function MAX_VOL_STEP_BPS() external view returns (uint256);

    /// @notice Shortest time between two volatility steps of one asset (seconds).
    function VOL_STEP_INTERVAL() external view returns (uint256);
}
