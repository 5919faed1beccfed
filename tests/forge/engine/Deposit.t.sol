// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";

/// @title MarginEngineDepositTest
/// @notice `MarginEngine.deposit`: settlement cash and collateral posted to an account (fixture: MarginEngineBase).
contract MarginEngineDepositTest is MarginEngineBase {
    /// @notice A token that is not listed collateral reverts CollateralNotListed(asset).
    function test_deposit__unlistedCollateral__reverts() public {
        MockERC20 dai = new MockERC20("DAI", "DAI", 18);
        _fund(TRADER, dai, 1e18);
        vm.expectRevert(abi.encodeWithSignature("CollateralNotListed(address)", address(dai)));
        vm.prank(TRADER);
        engine.deposit(address(dai), 1e18, TRADER);
    }

    /// @notice Collateral must be a pool asset and the Pool lists at most 8 assets, the settlement asset first, so an
    /// account holds at most 7 collateral assets: the engine's own cap of 8 is a second bound only a Pool listing
    /// more assets could reach.
    function test_deposit__everyPoolAssetAsCollateral__sevenAssetsAtMost() public {
        for (uint256 i = 0; i < 5; ++i) {
            MockERC20 token = _newAsset(string.concat("X", vm.toString(i)), 18, 1e18);
            _listPoolAsset(address(token), 0);
            _listCollateral(address(token));
        }
        MockERC20 ninth = _newAsset("X5", 18, 1e18);
        vm.expectRevert(abi.encodeWithSignature("TooManyAssets(uint256)", 8));
        _listPoolAsset(address(ninth), 0);
        address[] memory listed = pool.assets();
        assertEq(listed.length, 8, "eight pool assets");
        for (uint256 i = 1; i < listed.length; ++i) {
            MockERC20 token = MockERC20(listed[i]);
            _deposit(TRADER, token, 10 ** token.decimals());
        }
        (uint16 mask,) = engine.accountMasks(TRADER);
        uint256 held;
        for (; mask != 0; mask >>= 1) {
            held += mask & 1;
        }
        assertEq(held, 7, "seven collateral assets held");
    }

    /// @notice A zero deposit reverts ZeroAmount.
    function test_deposit__zeroAmount__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        vm.prank(TRADER);
        engine.deposit(address(weth), 0, TRADER);
    }

    /// @notice A deposit for the zero account reverts ZeroAddress.
    function test_deposit__zeroAccount__reverts() public {
        _fund(TRADER, weth, 1e18);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        vm.prank(TRADER);
        engine.deposit(address(weth), 1e18, address(0));
    }

    /// @notice USDC deposited becomes the account's cash credit, not collateral; WETH becomes collateral and sets its
    /// mask bit.
    function test_deposit__settlementAndCollateral__bookedApart() public {
        _deposit(TRADER, usdc, 500e6);
        assertEq(_credit(TRADER), 500e6, "usdc is credit");
        assertEq(engine.collateralBalance(TRADER, address(usdc)), 0, "usdc is no collateral");
        _deposit(TRADER, weth, 2e18);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 2e18, "weth balance");
        assertEq(engine.totalCollateral(address(weth)), 2e18, "weth total");
        assertEq(_credit(TRADER), 500e6, "weth is no credit");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 2, "WETH is the second collateral asset");
    }

    /// @notice Anyone may top up an asset the account holds (the held bit skips the owner check).
    function test_deposit__strangerTopsUpHeldAsset__credits() public {
        _deposit(TRADER, weth, 1e18);
        _fund(OTHER, weth, 2e18);
        vm.prank(OTHER);
        engine.deposit(address(weth), 2e18, TRADER);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 3e18, "topped up");
        assertEq(engine.collateralBalance(OTHER, address(weth)), 0, "nothing for the payer");
    }

    /// @notice A stranger may not add a new asset to an account's list.
    function test_deposit__strangerAddsNewAsset__reverts() public {
        _deposit(TRADER, weth, 1e18);
        _fund(OTHER, wbtc, 1e8);
        vm.expectRevert(abi.encodeWithSignature("NotAccountOwner(address,address)", TRADER, OTHER));
        vm.prank(OTHER);
        engine.deposit(address(wbtc), 1e8, TRADER);
    }

    /// @notice A deposit beyond the asset's supply cap reverts with the total and the cap; up to it is fine.
    function test_deposit__overSupplyCap__reverts() public {
        engine.setCollateralParams(
            address(wbtc),
            IMarginEngineTypes.CollateralParams(INITIAL_HAIRCUT_BPS, MAINT_HAIRCUT_BPS, COLLATERAL_STRESS_BPS, 1e8)
        );
        _deposit(TRADER, wbtc, 1e8);
        assertEq(engine.totalCollateral(address(wbtc)), 1e8, "up to the cap");
        _fund(TRADER, wbtc, 1);
        vm.expectRevert(
            abi.encodeWithSignature("SupplyCapExceeded(address,uint256,uint256)", address(wbtc), 1e8 + 1, 1e8)
        );
        vm.prank(TRADER);
        engine.deposit(address(wbtc), 1, TRADER);
    }
}

/// @title MarginEngineDepositFlowTest
/// @notice `MarginEngine.deposit`: settlement cash and collateral posted to an account (fixture: CoreFlowBase).
contract MarginEngineDepositFlowTest is CoreFlowBase {
    /// @notice Collateral in and out: the balance, the engine's total and the token balances move by the amount; a
    /// withdrawal beyond the balance reverts with the amounts.
    function test_deposit__collateralInThenOut__booksMoveByTheAmount() public {
        _deposit(TRADER, wbtc, 2e8);
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 2e8, "balance");
        assertEq(engine.totalCollateral(address(wbtc)), 2e8, "total");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(mask, 1, "WBTC is the first collateral asset");
        _withdraw(TRADER, wbtc, 5e7);
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 15e7, "balance after");
        assertEq(wbtc.balanceOf(TRADER), 5e7, "tokens back");
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientCollateral(address,uint256,uint256)", address(wbtc), 2e8, 15e7)
        );
        _withdraw(TRADER, wbtc, 2e8);
        _withdraw(TRADER, wbtc, 15e7);
        (mask,) = engine.accountMasks(TRADER);
        assertEq(mask, 0, "an empty balance leaves the mask");
    }
}
