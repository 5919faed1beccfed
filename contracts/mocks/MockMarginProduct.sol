// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginProduct} from "../../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";

/// @title MockMarginProduct
/// @notice Test double of a margin product (docs/design.md#products): each action sets the account's figures and
/// notional to what the test encodes, a liquidation's close takes the fraction off all of them and realizes that
/// fraction of the maintenance value, and the Pool's exposure is set by the test. Test networks only.
contract MockMarginProduct is IMarginProduct {
    uint256 private constant BPS = 10_000;

    /// @notice The caller is not the engine the product was built for.
    error NotEngine(address caller);
    /// @notice The test marked the product's prices unusable for `action`.
    error PricesUnusable(address account, IOracleAggregator.Action action);

    /// @notice What `execute` decodes from a trader's action.
    struct Action {
        int256 cashUsd;
        bool addsRisk;
        uint256 notionalUsd;
        AccountRisk risk;
    }

    address public immutable engine;
    mapping(address account => AccountRisk) internal _risk;
    mapping(address account => uint256) public notionalUsd;
    int256 public pnlLow;
    int256 public pnlHigh;
    uint256 public reservedUsd;
    /// @notice Bit `a` set: prices unusable for `IOracleAggregator.Action(a)`.
    uint256 public blockedActions;

    constructor(address engine_) {
        engine = engine_;
    }

    modifier onlyEngine() {
        if (msg.sender != engine) revert NotEngine(msg.sender);
        _;
    }

    function setExposure(int256 low, int256 high, uint256 reserved) external {
        (pnlLow, pnlHigh, reservedUsd) = (low, high, reserved);
    }

    /// @notice A price move: `account`'s figures and notional become these.
    function setRisk(address account, AccountRisk calldata risk, uint256 notional) external {
        (_risk[account], notionalUsd[account]) = (risk, notional);
    }

    function setBlockedActions(uint256 mask) external {
        blockedActions = mask;
    }

    /// @inheritdoc IMarginProduct
    function execute(address account, bytes calldata action)
        external
        onlyEngine
        returns (int256 cashUsd, bool addsRisk, bool holds, bytes memory result)
    {
        Action memory a = abi.decode(action, (Action));
        (_risk[account], notionalUsd[account]) = (a.risk, a.notionalUsd);
        holds = a.notionalUsd != 0;
        return (a.cashUsd, a.addsRisk, holds, abi.encode(a.notionalUsd));
    }

    /// @inheritdoc IMarginProduct
    function accountRisk(address account, bool liquidation) external view returns (AccountRisk memory) {
        if (liquidation) _check(account, IOracleAggregator.Action.Liquidate);
        return _risk[account];
    }

    /// @inheritdoc IMarginProduct
    function checkPrices(address account, IOracleAggregator.Action action) external view {
        _check(account, action);
    }

    /// @inheritdoc IMarginProduct
    function closeForLiquidation(address account, uint256 fractionBps)
        external
        onlyEngine
        returns (uint256 closedUsd, int256 cashUsd, bool holds)
    {
        AccountRisk memory r = _risk[account];
        uint256 notional = notionalUsd[account];
        closedUsd = notional * fractionBps / BPS;
        cashUsd = r.maintenanceValue * int256(fractionBps) / int256(BPS);
        uint256 keep = BPS - fractionBps;
        _risk[account] = AccountRisk(
            r.maintenanceValue - cashUsd,
            r.maintenanceMargin * keep / BPS,
            r.initialValue * int256(keep) / int256(BPS),
            r.initialMargin * keep / BPS,
            r.stressLoss * keep / BPS
        );
        notionalUsd[account] = notional - closedUsd;
        holds = notional != closedUsd;
    }

    /// @inheritdoc ITraderBook
    function poolExposure(bool enforceRiskStatus) external view returns (int256, int256, uint256, uint256) {
        if (enforceRiskStatus && blockedActions & (1 << uint256(IOracleAggregator.Action.Value)) != 0) {
            revert PricesUnusable(address(0), IOracleAggregator.Action.Value);
        }
        return (pnlLow, pnlHigh, reservedUsd, 0);
    }

    function _check(address account, IOracleAggregator.Action action) private view {
        if (blockedActions & (1 << uint256(action)) != 0) revert PricesUnusable(account, action);
    }
}
