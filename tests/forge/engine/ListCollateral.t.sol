// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineListCollateralTest
/// @notice `MarginEngine.listCollateral` (fixture: EngineGovernanceBase).
contract MarginEngineListCollateralTest is EngineGovernanceBase {
    /// @notice The settlement asset and an asset already listed cannot be listed as collateral.
    function test_listCollateral__settlementOrListed__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("CollateralAlreadyListed(address)", address(usdc)));
        _listCollateral(address(usdc));
        vm.expectRevert(abi.encodeWithSignature("CollateralAlreadyListed(address)", address(weth)));
        _listCollateral(address(weth));
        assertEq(engine.collateralAssets().length, 2, "two collateral assets");
    }
}
