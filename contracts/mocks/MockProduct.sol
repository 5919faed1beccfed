// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPool} from "../../interfaces/IPool.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {MockTraderBook} from "./MockTraderBook.sol";

/// @title MockProduct
/// @notice Test double of a product the Pool serves beside the MarginEngine (docs/design.md#products): a trader book
/// whose exposure the test sets, forwarding the Pool's product entry points while it holds the shared lock, as a
/// product's own entry points would. Test networks only.
contract MockProduct is MockTraderBook {
    using SafeERC20 for IERC20;

    constructor(IProtocolLock lock_, IPool pool_) MockTraderBook(lock_) {
        _setPool(pool_);
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
}
