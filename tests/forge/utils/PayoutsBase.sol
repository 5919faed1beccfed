// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {EngineFixture} from "./EngineFixture.sol";

/// @title PayoutsBase
/// @notice The bench core for "what is owed can always be paid" (docs/design.md#liveness): a loan counts toward
/// utilization and toward the settlement cash reserved for payouts, a short reserves what it can gain, a profit the
/// settlement reserve cannot pay is paid in the Pool's other assets, and the lower NAV provisions a loss already
/// visible on chain.
/// @dev The Pool seeded with 1,000,000 USD of each of USDC, WBTC and WETH, past the LP cooldown.
abstract contract PayoutsBase is EngineFixture {
    /// @dev OTHER, as the account that borrows.
    address internal constant BORROWER = OTHER;

    function setUp() public {
        _deploySeededBenchCore();
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _nextBlock();
    }

    /// @dev `account` posts `usdc` USDC of cash and opens `size` WETH on market 0 at 3,000, one block apart.
    function _openWeth(address account, uint256 usdcAmount, int256 size) internal {
        _deposit(account, usdc, usdcAmount);
        _nextBlock();
        _open(account, 0, size);
        _nextBlock();
    }

    function _close(address account, uint256 market) internal {
        int256 size = engine.position(account, market).size;
        vm.prank(account);
        engine.modifyPosition(market, -size, size > 0 ? 0 : type(uint256).max);
    }
}
