// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolAbsorbTest
/// @notice `Pool.absorb`: collateral the engine moves into the Pool joins its reserves (fixture: StandalonePoolBase).
contract PoolAbsorbTest is ProductsPoolBase {
    /// @notice The engine moves a liquidated account's collateral straight into the Pool: `absorb` from the engine
    /// pulls it into the reserve and returns what arrived.
    function test_absorb__fromEngine__pullsIntoTheReserve() public {
        _mintApprove(address(this), weth, 2e18);
        assertEq(pool.absorb(address(weth), 2e18, 0), 2e18, "received");
        assertEq(pool.reserves(address(weth)), 2e18, "booked");
    }

    /// @notice The liquidator absorbs 1 WETH and cancels 20 of 50 scaled debt; absorbing an unlisted token reverts
    /// AssetNotListed.
    function test_absorb__collateral__joinsTheReserve() public {
        pool.receiveLoss(0, 50e6);
        _mintApprove(LIQ, weth, 1e18);
        vm.prank(LIQ);
        pool.absorb(address(weth), 1e18, 20e6);
        assertEq(pool.reserves(address(weth)), 1e18, "absorbed");
        assertEq(weth.balanceOf(address(pool)), 1e18, "tokens in");
        assertEq(pool.totalScaledDebt(), 30e6, "debt cancelled");
        MockERC20 dai = new MockERC20("DAI", "DAI", 18);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        vm.prank(LIQ);
        pool.absorb(address(dai), 0, 0);
    }

    /// @notice Absorbing nothing pulls nothing: CollateralAbsorbed is the only log.
    function test_absorb__nothing__pullsNothing() public {
        vm.recordLogs();
        vm.prank(LIQ);
        pool.absorb(address(weth), 0, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one log");
        assertEq(logs[0].emitter, address(pool), "from the Pool");
        assertEq(logs[0].topics[0], keccak256("CollateralAbsorbed(address,uint256,uint256)"), "CollateralAbsorbed");
    }

    /// @notice A product cancels only its own debt against collateral: with 100 USDC owed through BOOK and 50 through
    /// the MarginEngine, BOOK cancelling 101 reverts DebtUnderflow(101, 100) and the Liquidator (for the MarginEngine)
    /// cancelling 51 reverts DebtUnderflow(51, 50); BOOK absorbs 1 WETH against its 100.
    function test_absorb__product__cancelsOnlyItsOwnDebt() public {
        _addBook(NO_CAP, 10_000);
        book.receiveLoss(0, 100e6);
        pool.receiveLoss(0, 50e6);
        _expectDebtUnderflow(101e6, 100e6);
        book.absorb(address(weth), 0, 101e6);
        _expectDebtUnderflow(51e6, 50e6);
        vm.prank(LIQ);
        pool.absorb(address(weth), 0, 51e6);
        weth.mint(address(book), 1e18);
        book.approve(address(weth));
        assertEq(book.absorb(address(weth), 1e18, 100e6), 1e18, "received");
        assertEq(pool.reserves(address(weth)), 1e18, "into the reserve");
        assertEq(pool.scaledDebtOf(address(book)), 0, "BOOK's debt cancelled");
        assertEq(pool.scaledDebtOf(address(this)), 50e6, "the MarginEngine's untouched");
    }
}
