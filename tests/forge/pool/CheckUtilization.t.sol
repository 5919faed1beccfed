// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolCheckUtilizationTest
/// @notice `Pool.checkUtilization`: reserved payouts and receivables against both utilization limits (fixture: StandalonePoolBase).
contract PoolCheckUtilizationTest is ProductsPoolBase {
    /// @notice checkUtilization with 4,000 USD of reserves: 3,700 reserved is 92.5 % > 90 % (UtilizationExceeded);
    /// 1,200 reserved is 30 % but above the 1,000 USDC (SettlementBackingShort); 1,000 reserved passes and sets the
    /// rate at 25 % utilization.
    function test_checkUtilization__reserved__checksBothLimits() public {
        _seedTwoAssets();
        stubReserved = 3_700e18;
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", 925e15, 9e17));
        pool.checkUtilization();
        stubReserved = 1_200e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 1_000e18, 1_200e18));
        pool.checkUtilization();
        stubReserved = 1_000e18;
        pool.checkUtilization();
        assertEq(pool.ratePerSecond(), (200e14 + 1_000 * 25e16 / 8_000) / uint256(365 days), "rate at 25 %");
    }

    /// @notice A product's used liquidity may not pass its liquidity cap (whole USD): BOOK capped at 500 USD with
    /// 501 USD reserved reverts ProductCapExceeded(book, 501 USD, 500 USD); 500 USD passes.
    function test_checkUtilization__productOverItsLiquidityCap__reverts() public {
        _lp(LP, usdc, 4_000e6);
        _addBook(500, 10_000);
        book.setExposure(0, 0, 501e18, 0);
        _expectCapExceeded(address(book), 501e18, 500e18);
        book.checkUtilization();
        book.setExposure(0, 0, 500e18, 0);
        book.checkUtilization();
    }

    /// @notice Nor its share of the backing (reserves + receivables at lower prices): BOOK at 10 % of 4,000 USD reverts
    /// above 400 USD; its own receivable counts in its use (and in the backing): 300 reserved and 100 lent is 400.
    function test_checkUtilization__productOverItsBackingShare__reverts() public {
        _lp(LP, usdc, 4_000e6);
        _addBook(NO_CAP, 1_000);
        book.setExposure(0, 0, 401e18, 0);
        _expectCapExceeded(address(book), 401e18, 400e18);
        book.checkUtilization();
        book.setExposure(0, 0, 300e18, 0);
        _bookLends(100e6);
        book.checkUtilization();
        book.setExposure(0, 0, 301e18, 0);
        _expectCapExceeded(address(book), 401e18, 400e18);
        book.checkUtilization();
    }

    /// @notice A product's caps bound its own use only: with the uncapped MarginEngine reserving 2,000 USD, BOOK (10 %
    /// of the backing) still adds risk up to its 400 USD, and the MarginEngine still passes.
    function test_checkUtilization__otherProductsUse__notCounted() public {
        _lp(LP, usdc, 4_000e6);
        _addBook(NO_CAP, 1_000);
        stubReserved = 2_000e18;
        book.setExposure(0, 0, 400e18, 0);
        book.checkUtilization();
        pool.checkUtilization();
        assertEq(pool.utilization(), 6e17, "2,400 of 4,000 in use");
    }

    /// @notice The MarginEngine is capped once governance sets caps: at 300 USD, 301 USD reserved reverts
    /// ProductCapExceeded(engine, 301 USD, 300 USD); 300 USD passes.
    function test_checkUtilization__marginEngineCaps__enforced() public {
        _lp(LP, usdc, 4_000e6);
        pool.setProductCaps(address(this), _caps(300, 10_000));
        stubReserved = 301e18;
        _expectCapExceeded(address(this), 301e18, 300e18);
        pool.checkUtilization();
        stubReserved = 300e18;
        pool.checkUtilization();
    }
}
