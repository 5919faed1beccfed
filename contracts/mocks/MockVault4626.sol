// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @title MockVault4626
/// @notice An OpenZeppelin ERC-4626 vault over `asset` for tests and test networks (a stand-in for a wrapped staking
/// token such as wstETH or sUSDe): its exchange rate grows when assets are sent to it without minting shares.
contract MockVault4626 is ERC4626 {
    constructor(IERC20 asset_, string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC4626(asset_) {}
}
