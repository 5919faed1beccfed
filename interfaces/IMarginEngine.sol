// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {ITraderBook} from "./ITraderBook.sol";

/// @title IMarginEngine
/// @notice Cross-margined trader accounts: multi-asset collateral, a cash balance in the settlement asset (positive:
/// credit held by the engine; negative: scaled debt to the Pool, accruing the Pool's borrow index) and perpetual
/// positions on oracle assets, against the Pool as counterparty.
/// @dev Account math (DESIGN section 4), all in WAD USD:
///   maintenance equity = cash + sum c * P * (1 - maintHaircut) + uPnL,     MM = sum |s| * P * mmf
///   initial equity     = cash + sum c * P * (1 - initHaircut) + min(uPnL, 0) per position, IM = sum |s| * P * imf
///   stress equity      = initial equity - sum (collateral value * stressShock) - sum |s| * P * stressShock
/// Maintenance numbers use the oracle price better for the account (the liquidation price); initial and stress
/// numbers use the price worse for it. Unrealized profit counts toward maintenance only: it is never withdrawn or
/// borrowed against (Mango, 2022). An account is liquidatable when maintenance equity < MM, or < 0 with no positions.
interface IMarginEngine is ITraderBook {
    /// @notice Governed collateral parameters.
    struct CollateralParams {
        uint16 initialHaircutBps;
        uint16 maintHaircutBps;
        uint16 stressShockBps;
        uint128 supplyCap;
    }

    /// @notice Governed market parameters. `asset` is the oracle asset the perpetual tracks.
    struct MarketParams {
        address asset;
        uint16 imfBps;
        uint16 mmfBps;
        uint16 stressShockBps;
        uint16 tradingFeeBps;
        uint16 reserveFactorBps;
        uint128 minSize;
        uint128 longOpenInterestCap;
        uint128 shortOpenInterestCap;
    }

    /// @notice A position: signed size in base units (WAD), average entry price, and the Pool borrow index at which
    /// its borrow fee was last settled.
    struct Position {
        int128 size;
        uint128 entryPrice;
        uint256 entryIndex;
    }

    /// @notice The health of an account, as a keeper computes it off-chain.
    struct Health {
        int256 maintenanceEquity;
        uint256 maintenanceMargin;
        int256 initialEquity;
        uint256 initialMargin;
        int256 stressEquity;
        bool liquidatable;
    }

    // ---------------------------------------------------------------- errors

    error CollateralNotListed(address asset);
    error CollateralAlreadyListed(address asset);
    error MarketNotListed(uint256 market);
    error ParamOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error ZeroAmount();
    error SupplyCapExceeded(address asset, uint256 totalAfter, uint256 cap);
    error TooManyCollateralAssets(address account, uint256 max);
    error TooManyMarkets(address account, uint256 max);
    /// @notice Only the account itself may deposit an asset it does not hold yet (no list stuffing).
    error NotAccountOwner(address account, address caller);
    error InsufficientCollateral(address asset, uint256 requested, uint256 available);
    /// @notice The action needs initial equity >= IM and stress equity >= 0.
    error InsufficientMargin(int256 initialEquity, uint256 initialMargin, int256 stressEquity);
    /// @notice A partial reduce would leave the account below maintenance.
    error BelowMaintenance(int256 maintenanceEquity, uint256 maintenanceMargin);
    error SlippageExceeded(uint256 executionPrice, uint256 acceptablePrice);
    error PositionTooSmall(uint256 market, uint256 size, uint256 minSize);
    error OpenInterestCapExceeded(uint256 market, uint256 openInterest, uint256 cap);
    error NewRiskPaused();
    error Unauthorized(address caller);

    // ---------------------------------------------------------------- events

    event CollateralListed(address indexed asset, CollateralParams params);
    event CollateralParamsSet(address indexed asset, CollateralParams params);
    event MarketListed(uint256 indexed market, MarketParams params);
    event MarketParamsSet(uint256 indexed market, MarketParams params);
    event NewRiskPausedSet(bool paused, address indexed guardian);
    event CollateralDeposited(address indexed account, address indexed asset, uint256 amount, address indexed from);
    event CollateralWithdrawn(address indexed account, address indexed asset, uint256 amount, address to);
    /// @notice The account's cash changed by `delta` settlement units (`reason`: deposit, withdraw, pnl, fee...).
    event CashChanged(address indexed account, int256 delta, uint256 credit, uint256 scaledDebt, bytes32 reason);
    event PositionModified(
        address indexed account,
        uint256 indexed market,
        int256 sizeDelta,
        int256 sizeAfter,
        uint256 executionPrice,
        int256 realizedPnl,
        uint256 fee
    );
    event CollateralSeized(address indexed account, address indexed asset, uint256 amount, address to);
    event DebtWrittenOff(address indexed account, uint256 scaledDebt);

    // ---------------------------------------------------------------- trader actions

    /// @notice Deposit `amount` of `asset` for `account`: the settlement asset repays debt then adds credit; any
    /// other listed asset is collateral. Allowed in any oracle status and while paused.
    function deposit(address asset, uint256 amount, address account) external;

    /// @notice Withdraw `amount` of collateral `asset` (or, for the settlement asset, cash: credit first, then a
    /// loan from the Pool) to `to`. Needs initial margin and the stress check unless the account has no positions
    /// and no debt.
    function withdraw(address asset, uint256 amount, address to) external;

    /// @notice Open, increase, reduce, flip or close a position in `market` by `sizeDelta` (base units, WAD) at
    /// the oracle price under the policy, no worse than `acceptablePrice`.
    function modifyPosition(uint256 market, int256 sizeDelta, uint256 acceptablePrice) external;

    // ---------------------------------------------------------------- liquidator entry points

    /// @notice Close `fractionBps` of every position of `account` at the liquidation price (better for the
    /// account), realizing PnL and borrow fees into its cash. Liquidator only.
    /// @return closedNotional USD (WAD) closed.
    function closeForLiquidation(address account, uint256 fractionBps) external returns (uint256 closedNotional);

    /// @notice Charge `amount` settlement units to `account`'s cash (credit first, then new debt) and pay them to
    /// `to`. Liquidator only (penalties).
    function chargeAccount(address account, uint256 amount, address to) external;

    /// @notice Move all collateral of `account` to the Liquidator; returns the assets and amounts. Liquidator only.
    function seizeAllCollateral(address account)
        external
        returns (address[] memory assets, uint256[] memory amounts);

    /// @notice Remove `account`'s whole scaled debt from its books (the Liquidator settled it with the Pool).
    /// Liquidator only.
    /// @return scaledDebt The scaled debt removed.
    function writeOffDebt(address account) external returns (uint256 scaledDebt);

    // ---------------------------------------------------------------- views

    /// @notice Health at the stored oracle prices, whatever their status (keepers, displays, tests).
    function health(address account) external view returns (Health memory);

    /// @notice Health as a liquidation judges it: reverts unless every price involved is Ok or Deviated.
    function liquidationHealth(address account) external view returns (Health memory);
    function position(address account, uint256 market) external view returns (Position memory);
    function collateralBalance(address account, address asset) external view returns (uint256);
    function cash(address account) external view returns (uint256 credit, uint256 scaledDebt, uint256 debt);
    function marketCount() external view returns (uint256);
    function marketParams(uint256 market) external view returns (MarketParams memory);
    function collateralParams(address asset) external view returns (CollateralParams memory);
    /// @notice Bit i of `collateral` set: the account holds `collateralAssets()[i]`; bit m of `markets` set: it has
    /// a position in market m.
    function accountMasks(address account) external view returns (uint16 collateral, uint16 markets);

    /// @notice Listed collateral assets, in listing order (the bit order of `accountMasks`).
    function collateralAssets() external view returns (address[] memory);
}
