// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {PriceRange} from "../contracts/libraries/PriceRange.sol";
import {ICoreWiring} from "./ICoreWiring.sol";
import {IErrors} from "./IErrors.sol";
import {ILiquidator} from "./ILiquidator.sol";
import {ITraderBook} from "./ITraderBook.sol";

/// @title IMarginEngineTypes
/// @notice Structs, errors and events of the MarginEngine, shared by its three parts.
interface IMarginEngineTypes is IErrors {
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
        uint16 initialMarginBps;
        uint16 maintenanceMarginBps;
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

    /// @notice A maintenance parameter (bps) in its ramp: from `fromBps` at `start` linearly to `targetBps` at `end`;
    /// `currentBps` is the value in force now (the target once `end` has passed, or when nothing ramps: start = end =
    /// 0).
    struct RampState {
        uint256 fromBps;
        uint256 targetBps;
        uint256 start;
        uint256 end;
        uint256 currentBps;
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

    /// @notice What `liquidateAccount` did to an account.
    /// @param liquidatable Whether the account was liquidatable; if not, nothing changed and `equity` and `margin` are
    /// its maintenance figures.
    /// @param fractionBps Share of every position closed (0 when it held none).
    /// @param closedNotional USD (WAD) closed, at the liquidation prices.
    /// @param equity Maintenance equity after the close (before the penalty, which it caps), USD (WAD), as
    /// `liquidationHealth` would return it right after the close with its losses booked.
    /// @param margin Maintenance margin after the close, USD (WAD); zero when no position is left.
    /// @param penalty Settlement units (or their worth in collateral) charged.
    /// @param keeperReward Of the penalty, the keeper's part.
    /// @param settlement The settlement asset's liquidation price range the close and the charge used.
    struct Liquidation {
        bool liquidatable;
        uint256 fractionBps;
        uint256 closedNotional;
        int256 equity;
        uint256 margin;
        uint256 penalty;
        uint256 keeperReward;
        PriceRange.Range settlement;
    }

    // ---------------------------------------------------------------- errors

    error CollateralNotListed(address asset);
    error CollateralAlreadyListed(address asset);
    error MarketNotListed(uint256 market);
    /// @notice The risk manager tightened `subject` (a collateral asset, or a market with the top bit set) less than
    /// a day ago; the next tightening step is allowed at `nextAllowedAt`.
    error RiskStepTooSoon(bytes32 subject, uint256 nextAllowedAt);
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
    /// @notice `sizeDelta` is beyond +/- `max` (type(int128).max): no market could hold it.
    error SizeOutOfRange(int256 sizeDelta, int256 max);
    error OpenInterestCapExceeded(uint256 market, uint256 openInterest, uint256 cap);
    error NewRiskPaused();
    /// @notice Auto-deleveraging needs traders' net PnL above `thresholdBps` of the pool's value.
    error AdlNotActive(int256 traderPnl, uint256 poolValue, uint256 thresholdBps);
    /// @notice Only a profitable position whose entry is at least as good as its side's average entry (so at least
    /// as profitable, per unit of notional, as the side on average) may be auto-deleveraged.
    error NotAdlCandidate(address account, uint256 market, uint256 entryPrice, uint256 averageEntry, uint256 price);
    /// @notice The Pool could not pay `unpaidUsd` of `account`'s realized profit in any of its assets.
    error ProfitUnpaid(address account, uint256 unpaidUsd);
    /// @notice The extension given to the engine's constructor was built for `engine`, another address.
    error ExtensionMismatch(address extension, address engine);
    error MarginProductNotListed(uint256 product);
    error MarginProductAlreadyListed(address product);
    error TooManyMarginProducts(uint256 max);
    /// @notice Margin product `product` reported that `account` holds nothing after an action, yet reports figures.
    error MarginProductStillHeld(uint256 product, address account);
    /// @notice A margin product is listed only while it books nothing (its exposure all zero).
    error MarginProductNotEmpty(
        address product, int256 pnlLow, int256 pnlHigh, uint256 reservedUsd, uint256 provisionUsd
    );
    /// @notice `provision` needs an account whose liquidation prices are usable; `account` at index `index` of the
    /// list has none (the oracle's `PriceUnavailable` explains which).
    error ProvisionUnpriced(address account, uint256 index);
    /// @notice New risk would raise the debt recorded against isolated collateral `asset` to `debtAfter`, above its
    /// ceiling (USD, WAD).
    error DebtCeilingExceeded(address asset, uint256 debtAfter, uint256 ceiling);

    // ---------------------------------------------------------------- events

    event CollateralListed(address indexed asset, CollateralParams params);
    event CollateralParamsSet(address indexed asset, CollateralParams params);
    event MarketListed(uint256 indexed market, MarketParams params);
    event MarketParamsSet(uint256 indexed market, MarketParams params);
    event NewRiskPausedSet(bool paused, address indexed guardian);
    event CollateralDeposited(address indexed account, address indexed asset, uint256 amount, address indexed from);
    event CollateralWithdrawn(address indexed account, address indexed asset, uint256 amount, address to);
    /// @notice The account's cash changed by `delta` settlement units (`reason`: deposit, withdraw, pnl, fee, penalty,
    /// liquidation...).
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
    /// @notice `amount` of `account`'s `asset` seized by a liquidation: into the Pool's reserves (`to` is the Pool), or
    /// into the engine account of the keeper `to` (its reward, also announced as `CollateralDeposited(to, asset,
    /// amount, account)`; the engine's total of the asset is unchanged).
    event CollateralSeized(address indexed account, address indexed asset, uint256 amount, address to);
    event DebtWrittenOff(address indexed account, uint256 scaledDebt);
    /// @notice `closedSize` of `account`'s position in `market` was closed by auto-deleveraging at `price`, without
    /// penalty or fee, while traders' net PnL exceeded the target by `excessUsd`.
    event AutoDeleveraged(
        address indexed account,
        uint256 indexed market,
        int256 sizeDelta,
        uint256 price,
        int256 realizedPnl,
        uint256 excessUsd,
        address indexed caller
    );
    event AdlParamsSet(uint256 thresholdBps, uint256 targetBps);
    /// @notice The provision for `account`'s negative maintenance equity is now `provisionUsd` (0: none); the total the
    /// Pool's lower NAV subtracts is `totalUsd`.
    event ProvisionSet(address indexed account, uint256 provisionUsd, uint256 totalUsd);
    event InsuranceFeeShareSet(uint256 insuranceFeeShareBps);
    /// @notice Collateral `asset` is isolated with a debt ceiling of `debtCeilingUsd` (USD, WAD), or full collateral
    /// again (0).
    event CollateralIsolationSet(address indexed asset, uint256 debtCeilingUsd);
    /// @notice `account`'s isolated debt is recorded as `debtUsd`, counted against the isolated assets of the bit mask
    /// `assets` (bit i: `collateralAssets()[i]`).
    event IsolatedDebtRecorded(address indexed account, uint256 debtUsd, uint16 assets);
    /// @notice A tightening of a maintenance parameter now takes `duration` seconds to come fully into force.
    event RampDurationSet(uint256 duration);
    /// @notice The maintenance parameter of `subject` (a collateral asset, or a market with the top bit set) ramps from
    /// `fromBps` at `start` to `toBps` at `end`.
    event MaintenanceRampStarted(bytes32 indexed subject, uint256 fromBps, uint256 toBps, uint256 start, uint256 end);
    /// @notice Margin product number `product` is `book` (`IMarginProduct`).
    event MarginProductListed(uint256 indexed product, address indexed book);
    /// @notice `account` acted in margin product `product`: `cashUsd` booked in its cash (negative: paid), `holds`
    /// whether it still holds positions there.
    event ProductTraded(address indexed account, uint256 indexed product, int256 cashUsd, bool addsRisk, bool holds);
    /// @notice A liquidation closed `closedUsd` of `account`'s notional in margin product `product`, realizing
    /// `cashUsd`.
    event ProductLiquidated(
        address indexed account, uint256 indexed product, uint256 closedUsd, int256 cashUsd, bool holds
    );
}

/// @title IMarginEngineCore
/// @notice The MarginEngine's own code: trader actions, the Liquidator's entry points and the health views the hot
/// paths use.
interface IMarginEngineCore is IMarginEngineTypes, ITraderBook {
    // ---------------------------------------------------------------- trader actions

    /// @notice Deposit `amount` of `asset` for `account`: the settlement asset repays debt then adds credit; any
    /// other listed asset is collateral. Allowed in any oracle status and while paused.
    function deposit(address asset, uint256 amount, address account) external;

    /// @notice Open, increase, reduce, flip or close a position in `market` by `sizeDelta` (base units, WAD) at
    /// the oracle price under the policy, no worse than `acceptablePrice`. Adding risk needs the settlement asset's
    /// and every held market's prices Ok (else the oracle's `PriceUnavailable`) and initial margin and the stress
    /// check, where collateral whose price is not Ok counts nothing towards initial and stress equity, and room under the
    /// open-interest cap of the side it grows (`OpenInterestCapExceeded`); a reduction or close is never capped.
    function modifyPosition(uint256 market, int256 sizeDelta, uint256 acceptablePrice) external;

    /// @notice Revert unless `account` passes the checks every new risk needs: the prices it rests on Ok (the
    /// settlement asset's, each held market's, each held margin product's), initial equity >= initial margin and stress
    /// equity >= 0 (`InsufficientMargin` with the figures). A view: interfaces may ask before they act.
    function checkInitialMargin(address account) external view;

    // ---------------------------------------------------------------- liquidator entry points

    /// @notice Liquidate `account` for `keeper` under the Liquidator's parameters `params`, in one pass at one set of
    /// prices read under the oracle's Liquidate policy (it reverts `PriceUnavailable` unless every price involved is
    /// Ok, Deviated or wound down): the health read's collateral prices, settlement range and borrow index serve the
    /// close and the charge (a market on an asset the account does not hold as collateral is read again at its close).
    /// If the account is liquidatable: clear its provision; close `LiquidationMath.closeFraction` of every position at
    /// the liquidation price (better for the account), realizing PnL and borrow fees (a profit paid when realized,
    /// after the losses before it are booked; in kind where the Pool's settlement reserve is short);
    /// then charge the penalty, `LiquidationMath.penaltyBps` of the closed notional capped at what the account is still
    /// worth, never through a Pool loan: from the credit the close's losses leave (`CashChanged`, reason "penalty"; the
    /// keeper's reward to `keeper`'s credit, reason "keeper reward", then the InsuranceFund's share to the fund); the
    /// keeper's rest in collateral valued at the upper liquidation price, in listing order, moved to `keeper`'s engine
    /// account (`CollateralSeized` to `keeper`); the fund's rest owed to the Pool as the account's debt (a receivable:
    /// no token leaves the Pool). The close's losses and the fund's rest reach the Pool in one booking (`CashChanged`,
    /// reason "liquidation"): from the account's credit first, the rest as its debt. The keeper's part the account
    /// cannot pay is not charged. No token moves to the keeper (a keeper with debt has
    /// its credited reward repay it first, as any credit does). An account with no positions is left to the
    /// Liquidator's absorb. Liquidator only.
    function liquidateAccount(address account, address keeper, ILiquidator.Params calldata params)
        external
        returns (Liquidation memory);

    // ---------------------------------------------------------------- views

    /// @notice Health at the stored oracle prices, whatever their status (keepers, displays, tests).
    function health(address account) external view returns (Health memory);

    /// @notice Health as a liquidation judges it: reverts unless every price involved is Ok or Deviated.
    function liquidationHealth(address account) external view returns (Health memory);
}

/// @title IMarginEngineAdmin
/// @notice Book-keeping views, margin-product trades, auto-deleveraging, provisions and isolated-debt records of the
/// MarginEngine, served by its extension (the engine delegates every selector it does not implement to it, as Compound III does with CometExt).
interface IMarginEngineAdmin is IMarginEngineTypes, ICoreWiring {
    /// @notice Withdraw `amount` of collateral `asset` (or, for the settlement asset, cash: credit first, then a
    /// loan from the Pool) to `to`. An account with no positions and no debt needs no price; otherwise the
    /// withdrawn asset's, the settlement asset's and every held market's prices must be Ok (else the oracle's
    /// `PriceUnavailable`), and initial margin and the stress check must hold, where collateral whose price is not
    /// Ok counts nothing towards initial and stress equity. Served by the extension (a withdrawal is not a
    /// liquidation's hot path): the margin check is the engine's `checkInitialMargin`.
    function withdraw(address asset, uint256 amount, address to) external;

    /// @notice Act in margin product number `product` (`IMarginProduct.execute` with `action`, for the caller): the
    /// cash the action moves is booked in the caller's cash (a payment from credit first, then as debt to the Pool; a
    /// receipt repays debt first), then an action that adds risk must pass the initial-margin and stress checks of the
    /// whole account and the Pool's utilization check, and a reduction must leave the account above maintenance unless
    /// it holds nothing in the product after it. New risk stops while the guardian's pause is on.
    /// @return result The product's output.
    function tradeProduct(uint256 product, bytes calldata action) external returns (bytes memory result);

    /// @notice Reduce `account`'s position in `market` at the oracle price (the liquidation price, better for the
    /// account), without penalty or fee, by what brings traders' net PnL back to the target fraction of the pool's
    /// value (or the whole position, never leaving less than the minimum size). Permissionless while traders' net PnL
    /// exceeds the threshold fraction.
    /// @dev Selection rule, checked on-chain: the position is on a profitable side of the market and its entry is at
    /// least as good as the side's size-weighted average entry (a long at or below it, a short at or above it), so
    /// its profit per unit of notional is at least the side's average. Keepers take the most profitable first.
    /// @return sizeDelta The signed size closed.
    function autoDeleverage(address account, uint256 market) external returns (int256 sizeDelta);

    /// @notice Whether auto-deleveraging is active and how much it would remove.
    /// @return traderPnl Traders' net PnL, USD (WAD), at the prices worst for the Pool.
    /// @return poolValue The Pool's value before traders' PnL (its lower NAV plus that PnL), USD (WAD).
    /// @return active Whether `traderPnl` exceeds the threshold share of `poolValue`.
    /// @return excessUsd The profit ADL would realize to bring it back to the target share (0 when inactive);
    /// paying it out lowers the pool's value too, so it is (traderPnl - target * poolValue) / (1 - target).
    function adlState() external view returns (int256 traderPnl, uint256 poolValue, bool active, uint256 excessUsd);

    /// @notice Record `account`'s isolated debt (see `isolatedDebtOf`) after it traded: with `addsRisk`, reverting
    /// `DebtCeilingExceeded` when that raises an isolated asset's debt above its ceiling; a reduction is recorded
    /// without the check (it frees what it no longer uses). Only the engine's own code calls it (through its
    /// fallback): the caller must be the engine.
    function recordIsolatedDebt(address account, bool addsRisk) external;

    /// @notice Record again the isolated debt of each of `accounts` without the ceiling check. A record is updated
    /// when its account trades, withdraws or acts in a margin product; one whose debt fell otherwise since (a
    /// repayment, a liquidation, a promotion of the asset) is freed here. Permissionless.
    function refreshIsolatedDebt(address[] calldata accounts) external;

    /// @notice The isolated debt last recorded for `account`, USD (WAD): its debt to the Pool, its perpetuals'
    /// notional at entry and its margin products' initial margin, counted against each isolated asset in `assets`
    /// (bit i: `collateralAssets()[i]`) it held then.
    function isolatedDebtOf(address account) external view returns (uint256 debtUsd, uint16 assets);

    /// @notice Record, for each of `accounts`, the provision the Pool's lower NAV subtracts: minus its maintenance
    /// equity at the liquidation prices when that equity is negative, else nothing (a recorded provision is
    /// replaced). Permissionless: keepers provision underwater accounts they cannot liquidate at once, so an LP cannot
    /// exit ahead of the loss; a liquidation clears the account's provision. Reverts `ProvisionUnpriced` for an
    /// account whose prices a liquidation could not use.
    function provision(address[] calldata accounts) external;

    /// @notice The provision recorded for `account`, USD (WAD).
    function provisionOf(address account) external view returns (uint256);

    /// @notice The sum of recorded provisions, USD (WAD).
    function totalProvision() external view returns (uint256);

    /// @notice Remove `account`'s whole scaled debt from its books (the Liquidator settled it with the Pool) and its
    /// provision. Liquidator only.
    /// @return scaledDebt The scaled debt removed.
    function writeOffDebt(address account) external returns (uint256 scaledDebt);

    /// @notice Move collateral of `account` worth `valueUsd` at the lower liquidation price (all of it for
    /// type(uint256).max) straight into the Pool's reserves, asset by asset in listing order. Liquidator only.
    /// @return movedUsd The USD the Pool booked, at those prices (rounded down).
    function absorbCollateral(address account, uint256 valueUsd) external returns (uint256 movedUsd);

    /// @notice Pay `keeper` `units` settlement units' worth of `account`'s collateral at the upper liquidation price, in
    /// listing order, moved to `keeper`'s engine account (an absorb's penalty, after the account's debt was settled).
    /// Liquidator only.
    /// @param settlement The settlement asset's liquidation price range `liquidateAccount` returned.
    /// @return paid The units it came to (all of them unless the collateral ran out).
    function payKeeperInCollateral(address account, address keeper, uint256 units, PriceRange.Range calldata settlement)
        external
        returns (uint256 paid);

    /// @notice Value of `account`'s collateral at the lower liquidation prices (no haircut), USD (WAD): what an absorb
    /// would book in the Pool. Reverts when a price a liquidation needs is unavailable.
    function collateralValue(address account) external view returns (uint256 valueUsd);

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
    function totalCollateral(address asset) external view returns (uint256);
    function insuranceFeeShareBps() external view returns (uint256);
    function newRiskPaused() external view returns (bool);
    function adlParams() external view returns (uint256 thresholdBps, uint256 targetBps);
    /// @notice Listed margin products, in listing order (the bit order of `accountProducts`).
    function marginProducts() external view returns (address[] memory);
    /// @notice The margin products `account` holds positions in, as a bit mask.
    function accountProducts(address account) external view returns (uint8);
    /// @notice The Pool the engine borrows from and settles with (immutable).
    function pool() external view returns (address);
}

/// @title IMarginEngineGovernance
/// @notice Governance of the MarginEngine: roles (OpenZeppelin AccessControl), listings, bounded parameter steps,
/// maintenance ramps and isolated collateral, served by its MarginEngineGovernance (through the extension).
interface IMarginEngineGovernance is IMarginEngineTypes {
    function listCollateral(address asset, CollateralParams calldata params) external;
    /// @notice Change collateral parameters: governance (the timelock) within the absolute bounds, the risk manager
    /// only in bounded steps on the haircuts (so healthy accounts are not made liquidatable at once).
    function setCollateralParams(address asset, CollateralParams calldata params) external;
    function listMarket(MarketParams calldata params) external returns (uint256 market);
    /// @notice Change market parameters (same rule as `setCollateralParams`, on the margin fractions).
    function setMarketParams(uint256 market, MarketParams calldata params) external;
    /// @notice Guardian: pause or resume new risk (opening, increasing, borrowing); exits always work.
    function setNewRiskPaused(bool paused) external;
    /// @notice Governance: trading-fee share of the InsuranceFund.
    function setInsuranceFeeShare(uint256 insuranceFeeShareBps) external;
    /// @notice Governance: auto-deleveraging starts above `thresholdBps` of pool value and stops at `targetBps`.
    function setAdlParams(uint256 thresholdBps, uint256 targetBps) external;
    /// @notice Governance: list a margin product (`IMarginProduct`), which must book nothing yet. At most four.
    function listMarginProduct(address book) external returns (uint256 product);

    /// @notice Governance: a rise of a maintenance parameter (a collateral's `maintHaircutBps`, a market's
    /// `maintenanceMarginBps`) by any caller comes into force linearly over `duration` seconds from the value in force
    /// when it is set (Euler's LTV ramp), so that the change alone does not make accounts liquidatable at once; a
    /// fall applies at once. 0 applies rises at once too. At most 30 days.
    function setRampDuration(uint256 duration) external;

    /// @notice Seconds a rise of a maintenance parameter takes to come into force.
    function rampDuration() external view returns (uint256);

    /// @notice The maintenance haircut of collateral `asset`: its target, ramp and the value in force.
    function collateralRamp(address asset) external view returns (RampState memory);

    /// @notice The maintenance margin of `market`: its target, ramp and the value in force.
    function marketRamp(uint256 market) external view returns (RampState memory);

    /// @notice Governance: isolate collateral `asset` with a debt ceiling (USD, WAD), or (0) make it full collateral.
    /// While isolated, new risk (opening or increasing a position, borrowing, a margin product's risk-adding action) by
    /// an account holding it must fit under the ceiling, and each trade, withdrawal or product action records the
    /// account's debt against it (`IMarginEngineAdmin.isolatedDebtOf`).
    function setCollateralIsolation(address asset, uint256 debtCeilingUsd) external;

    /// @notice Collateral `asset`'s debt ceiling (0: not isolated) and the debt recorded against it, USD (WAD).
    function collateralIsolation(address asset) external view returns (uint256 debtCeilingUsd, uint256 debtUsd);
}

/// @title IMarginEngine
/// @notice Cross-margined trader accounts: multi-asset collateral, a cash balance in the settlement asset (positive:
/// credit held by the engine; negative: scaled debt to the Pool, accruing the Pool's borrow index), perpetual
/// positions on oracle assets, and positions in the margin products it lists (`IMarginProduct`), against the Pool as
/// counterparty.
/// @dev Account math (docs/design.md#account-math), all in WAD USD:
///   maintenance equity = cash + sum c * P * (1 - maintHaircut) + uPnL,     MM = sum |s| * P * mmf
///   initial equity     = cash + sum c * P * (1 - initHaircut) + min(uPnL, 0) per position, IM = sum |s| * P * imf
///   stress equity      = initial equity - sum (collateral value * stressShock) - sum |s| * P * stressShock
/// Maintenance numbers use the oracle price better for the account (the liquidation price); initial and stress
/// numbers use the price worse for it. Unrealized profit counts toward maintenance only: it is never withdrawn or
/// borrowed against (Mango, 2022). An account is liquidatable when maintenance equity < MM, or < 0 with no positions.
/// The whole API lives at the engine's address: its own code serves `IMarginEngineCore` and delegates the rest to its
/// extension (`IMarginEngineAdmin`), which delegates governance (`IMarginEngineGovernance`) in turn.
interface IMarginEngine is IMarginEngineCore, IMarginEngineAdmin, IMarginEngineGovernance {}
