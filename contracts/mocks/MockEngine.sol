// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IInsuranceFund} from "../../interfaces/IInsuranceFund.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {MockTraderBook} from "./MockTraderBook.sol";

/// @title MockEngine
/// @notice Test double standing in for the MarginEngine and the Liquidator in Pool and InsuranceFund tests: it
/// reports a settable trader exposure and forwards the protocol entry points, holding the shared lock as a member
/// would. Test networks only.
contract MockEngine is MockTraderBook {
    using SafeERC20 for IERC20;

    /// @notice The exposure view was asked to enforce the risk status while markets are marked not Ok.
    error MarketsNotOk();

    bool public marketsNotOk;

    /// @dev Optional markets whose oracle prices and open interest `poolExposure` reads, so that gas benchmarks
    /// pay what the MarginEngine's per-market aggregation will (one price read and two slots per market).
    IOracleAggregator public oracle;
    address[] public markets;
    mapping(address market => uint256) public longOpenInterest;
    mapping(address market => uint256) public shortOpenInterest;

    constructor(IProtocolLock lock_) MockTraderBook(lock_) {}

    function setPool(IPool pool_) external {
        _setPool(pool_);
    }

    function approve(address token, address spender) external {
        IERC20(token).forceApprove(spender, type(uint256).max);
    }

    function setExposure(int256 low, int256 high, uint256 reserved) external {
        (pnlLow, pnlHigh, reservedUsd) = (low, high, reserved);
    }

    function setProvision(uint256 provision) external {
        provisionUsd = provision;
    }

    function setMarkets(IOracleAggregator oracle_, address[] calldata markets_) external {
        oracle = oracle_;
        markets = markets_;
        for (uint256 i = 0; i < markets_.length; ++i) {
            (longOpenInterest[markets_[i]], shortOpenInterest[markets_[i]]) = (1, 1);
        }
    }

    function setMarketsNotOk(bool notOk) external {
        marketsNotOk = notOk;
    }

    /// @inheritdoc ITraderBook
    function poolExposure(bool enforceRiskStatus) external view returns (int256, int256, uint256, uint256) {
        if (enforceRiskStatus && marketsNotOk) revert MarketsNotOk();
        uint256 touched;
        for (uint256 i = 0; i < markets.length; ++i) {
            address market = markets[i];
            (uint256 low, uint256 high) = enforceRiskStatus
                ? oracle.priceBounds(market, IOracleAggregator.Action.Value)
                : (oracle.median(market), oracle.median(market));
            touched += (low + high) * (longOpenInterest[market] - shortOpenInterest[market]);
        }
        return (pnlLow + int256(touched), pnlHigh + int256(touched), reservedUsd, provisionUsd);
    }

    function socializeDeficit(uint256 scaledDebt) external locked returns (uint256) {
        return pool.socializeDeficit(scaledDebt);
    }

    function cover(IInsuranceFund fund, uint256 deficit) external locked returns (uint256) {
        return fund.cover(deficit);
    }

    function fundInsurance(IInsuranceFund fund, uint256 amount) external locked {
        IERC20(fund.asset()).forceApprove(address(fund), amount);
        fund.fund(amount, "penalty");
    }
}
