// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPool} from "../../interfaces/IPool.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";

/// @title MockProduct
/// @notice Test double of a product the Pool serves beside the MarginEngine (docs/design.md#products): a trader book
/// whose exposure the test sets, forwarding the Pool's product entry points while it holds the shared lock, as a
/// product's own entry points would. Test networks only.
contract MockProduct is ITraderBook {
    using SafeERC20 for IERC20;

    IProtocolLock public immutable protocolLock;
    IPool public immutable pool;
    int256 public pnlLow;
    int256 public pnlHigh;
    uint256 public reservedUsd;
    uint256 public provisionUsd;

    /// @dev Approves the Pool to pull the settlement asset (losses received and debt repaid).
    constructor(IProtocolLock lock_, IPool pool_) {
        (protocolLock, pool) = (lock_, pool_);
        IERC20(pool_.settlementAsset()).forceApprove(address(pool_), type(uint256).max);
    }

    modifier locked() {
        protocolLock.lock();
        _;
        protocolLock.unlock();
    }

    function setExposure(int256 low, int256 high, uint256 reserved, uint256 provision) external {
        (pnlLow, pnlHigh, reservedUsd, provisionUsd) = (low, high, reserved, provision);
    }

    /// @notice Let the Pool pull `token` (collateral absorbed).
    function approve(address token) external {
        IERC20(token).forceApprove(address(pool), type(uint256).max);
    }

    /// @inheritdoc ITraderBook
    function poolExposure(bool) external view returns (int256, int256, uint256, uint256) {
        return (pnlLow, pnlHigh, reservedUsd, provisionUsd);
    }

    function payProfit(uint256 amount) external locked returns (uint256) {
        return pool.payProfit(amount);
    }

    function payProfitInKind(address asset, uint256 valueUsd) external locked returns (uint256, uint256) {
        return pool.payProfitInKind(asset, valueUsd);
    }

    function receiveLoss(uint256 paid, uint256 borrowed) external locked returns (uint256) {
        return pool.receiveLoss(paid, borrowed);
    }

    function lend(uint256 amount, address to) external locked returns (uint256) {
        return pool.lend(amount, to);
    }

    function repay(uint256 scaledDebt) external locked returns (uint256) {
        return pool.repay(scaledDebt);
    }

    function absorb(address asset, uint256 amount, uint256 scaledDebt) external locked returns (uint256) {
        return pool.absorb(asset, amount, scaledDebt);
    }

    function checkUtilization() external locked {
        pool.checkUtilization();
    }
}
