// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPool} from "../../interfaces/IPool.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";

/// @title MockTraderBook
/// @notice What the Pool's test doubles share: a trader exposure the test sets, and the Pool's trader-book entry
/// points forwarded while holding the shared lock, as a lock member's own entry points would. Test networks only.
abstract contract MockTraderBook is ITraderBook {
    using SafeERC20 for IERC20;

    IProtocolLock public immutable protocolLock;
    IPool public pool;
    int256 public pnlLow;
    int256 public pnlHigh;
    uint256 public reservedUsd;
    uint256 public provisionUsd;

    constructor(IProtocolLock lock_) {
        protocolLock = lock_;
    }

    modifier locked() {
        protocolLock.lock();
        _;
        protocolLock.unlock();
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

    /// @dev Wire the Pool and let it pull the settlement asset (losses received and debt repaid).
    function _setPool(IPool pool_) internal {
        pool = pool_;
        IERC20(pool_.settlementAsset()).forceApprove(address(pool_), type(uint256).max);
    }
}
