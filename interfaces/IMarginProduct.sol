// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IOracleAggregator} from "./IOracleAggregator.sol";
import {ITraderBook} from "./ITraderBook.sol";

/// @title IMarginProduct
/// @notice A product whose positions the MarginEngine margins together with an account's collateral, cash and perps
/// (cross-margin across products). The product keeps its traders' positions and prices them; the engine keeps the
/// accounts' collateral and cash, routes every trader action (`MarginEngine.tradeProduct`), books the cash an action or
/// a liquidation moves, and adds the product's figures to each account's health and to the Pool's exposure.
/// @dev Every mutating function is the engine's alone (the product checks the caller). Figures are USD in WAD. What a
/// margin product must also do, for the engine's liveness: answer `accountRisk(account, false)` and
/// `poolExposure(false)` without reverting; cap the positions one account can hold (every health read and liquidation
/// of the account visits them all); price an account's positions from the oracle and its own state only (never from
/// the engine's, which a liquidation changes while it reads the figures); call no untrusted code.
interface IMarginProduct is ITraderBook {
    /// @notice An account's positions in the product, as the engine adds them to its health.
    /// @param maintenanceValue What the positions are worth to the account at the prices better for it (the
    /// liquidation prices): positive for what the Pool owes it, negative for what it owes.
    /// @param maintenanceMargin The maintenance requirement; positive whenever the account holds a position worth
    /// anything (the Liquidator closes positions only while the maintenance margin is positive).
    /// @param initialValue The positions' worth at the prices worse for the account; the engine counts it towards
    /// initial equity only when negative (an unrealized gain is never borrowed against).
    /// @param initialMargin The initial requirement.
    /// @param stressLoss The positions' loss in the joint stress scenario (added to the collateral's and the perps').
    struct AccountRisk {
        int256 maintenanceValue;
        uint256 maintenanceMargin;
        int256 initialValue;
        uint256 initialMargin;
        uint256 stressLoss;
    }

    /// @notice Apply a trader's `action` (encoded by the product) to `account`'s positions. Engine only, which holds
    /// the shared lock.
    /// @return cashUsd The cash the action moves: negative for what the account pays (a premium), positive for what
    /// it receives; the engine books it in the account's cash against the Pool.
    /// @return addsRisk Whether the action adds risk (the engine then checks initial margin, the stress test and the
    /// Pool's utilization); a reduction must leave the account above maintenance unless it holds nothing after it. The
    /// engine also treats as adding risk any action after which the account's initial margin or stress loss is higher.
    /// @return holds Whether `account` holds any position in the product after the action (if not, its figures must
    /// all be zero).
    /// @return result Product-specific output, returned to the trader.
    function execute(address account, bytes calldata action)
        external
        returns (int256 cashUsd, bool addsRisk, bool holds, bytes memory result);

    /// @notice `account`'s positions as its health reads them, at the oracle's stored prices.
    /// @param liquidation True for a liquidation's health: the same figures, but every price the product reads must
    /// be priced for `Action.Liquidate` (revert otherwise), as the engine's own prices are.
    function accountRisk(address account, bool liquidation) external view returns (AccountRisk memory);

    /// @notice Revert unless every price `account`'s positions rest on may be used for `action` under the oracle's
    /// policy (`IOracleAggregator.priceBounds`). The engine asks for `AddRisk` before any new risk of the account, in
    /// this product or elsewhere: a price that is not Ok could hide a position's loss.
    function checkPrices(address account, IOracleAggregator.Action action) external view;

    /// @notice Close `fractionBps` of each of `account`'s positions at the liquidation prices (all of a position that
    /// would otherwise leave dust). Engine only, during a liquidation.
    /// @return closedUsd The base of the Liquidator's penalty for the close (its rate applies as to a perp's notional):
    /// the notional closed, or for positions whose notional is far above their margin (options) a base of the same
    /// order as the margin released.
    /// @return cashUsd The value the close realizes (as `execute`'s `cashUsd`).
    /// @return holds Whether `account` holds any position in the product after the close.
    function closeForLiquidation(address account, uint256 fractionBps)
        external
        returns (uint256 closedUsd, int256 cashUsd, bool holds);
}
