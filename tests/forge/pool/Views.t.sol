// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {WeightFeePoolBase} from "../utils/WeightFeePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolViewsTest
/// @notice the Pool's views: NAV, share price, utilization and available liquidity (fixture: StandalonePoolBase).
contract PoolViewsTest is ProductsPoolBase {
    /// @notice With no reserves, utilization is 0 when nothing is reserved and 100 % when something is.
    function test_utilization__noReserves__zeroOrFull() public {
        assertEq(pool.utilization(), 0, "nothing reserved");
        stubReserved = 100e18;
        assertEq(pool.utilization(), WAD, "reserved against nothing");
    }

    /// @notice 600 reserved over 4,000 USD of reserves is 15 %.
    function test_utilization__reserves__ratio() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        assertEq(pool.utilization(), 15e16, "600 / 4,000");
    }

    /// @notice A receivable of 50 USDC counts in NAV.
    function test_nav__receivable__counts() public {
        _lp(LP, usdc, 1_000e6);
        pool.receiveLoss(0, 50e6);
        assertEq(pool.nav(false), 1_050e18, "reserve and receivable");
        assertEq(pool.nav(true), 1_050e18, "same at one price");
    }

    /// @notice WETH up to 3,100 (median above TWAP) then down to 2,900 (median below): NAV counts it at the lower of
    /// the two for `nav(false)` and the higher for `nav(true)`, and share prices follow.
    function test_nav__medianAndTwapApart__lowAndHigh() public {
        _seedTwoAssets();
        _moveWeth(3_100e18);
        (uint256 m, uint256 t,,) = _priceData(address(weth));
        assertTrue(m > t, "median above the TWAP");
        _assertNav(t, m);
        _moveWeth(2_900e18);
        (m, t,,) = _priceData(address(weth));
        assertTrue(m < t, "median below the TWAP");
        _assertNav(m, t);
    }

    /// @notice A pool asset of 80 decimals with no reserve is skipped by the valuation (10 ** 80 does not fit in 256
    /// bits, so pricing it would panic).
    function test_nav__emptyReserve__skipped() public {
        MockERC20 big = new MockERC20("BIG", "BIG", 80);
        _listOracleAsset(address(big), 1e18);
        pool.listAsset(address(big), _params(1_000, 10_000, 0, 0, CAP));
        _lp(LP, usdc, 1_000e6);
        assertEq(pool.nav(false), 1_000e18, "the USDC only");
    }

    /// @notice Stale prices: LP actions revert PriceUnavailable(asset, AddRisk, Stale) while the views still value the
    /// pool.
    function test_valuation__stalePrices__onlyLpActionsRevert() public {
        _lp(LP, usdc, 1_000e6);
        vm.warp(T0 + MAX_PRICE_AGE + 1);
        assertEq(pool.nav(false), 1_000e18, "the view still values");
        _mintApprove(LP, usdc, 1e6);
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 2));
        vm.prank(LP);
        pool.deposit(address(usdc), 1e6, 0, LP);
    }

    /// @notice Traders' worst-case PnL of 5,000 USD against 4,000 of reserves: the lower NAV is -1,000 USD and share
    /// pricing reverts PoolInsolvent(-1,000).
    function test_sharePrice__insolvent__reverts() public {
        _seedTwoAssets();
        stubPnlHigh = 5_000e18;
        vm.expectRevert(abi.encodeWithSignature("PoolInsolvent(int256)", -1_000e18));
        pool.sharePrice(false);
        vm.expectRevert(abi.encodeWithSignature("PoolInsolvent(int256)", -1_000e18));
        vm.prank(LP);
        pool.withdraw(1e18, address(usdc), 0, LP);
        assertEq(pool.sharePrice(true), WAD, "the upper NAV is untouched");
    }

    /// @notice A lower NAV of -0.5 USD (within the virtual value) prices shares at NAV 0.
    function test_sharePrice__slightlyNegativeNav__floorsAtZero() public {
        _seedTwoAssets();
        stubPnlHigh = 4_000e18 + 5e17;
        assertEq(pool.nav(false), -5e17, "NAV below zero");
        assertEq(pool.sharePrice(false), WAD * 1e18 / 4_001e18, "priced at zero NAV");
        assertEq(pool.sharePrice(true), WAD, "priced at the upper NAV");
    }

    /// @notice availableLiquidity with 4,000 USD of reserves: nothing reserved, all 1,000 USDC (the reserve binds);
    /// 3,150 reserved, 500 USDC (utilization binds: 4,000 - 3,150 / 0.9); 3,700 reserved, nothing.
    function test_availableLiquidity__reserveOrUtilization__binds() public {
        _seedTwoAssets();
        assertEq(pool.availableLiquidity(address(usdc)), 1_000e6, "the reserve");
        stubReserved = 300e18;
        assertEq(pool.availableLiquidity(address(usdc)), 700e6, "the settlement reserve keeps backing 300 reserved");
        assertEq(pool.availableLiquidity(address(weth)), 1e18, "the whole WETH reserve");
        stubReserved = 3_150e18;
        assertEq(pool.availableLiquidity(address(usdc)), 0, "all USDC backs the reserved payouts");
        assertEq(pool.availableLiquidity(address(weth)), 500e18 * WAD / 3_000e18, "by utilization, in WETH");
        stubReserved = 3_700e18;
        assertEq(pool.availableLiquidity(address(weth)), 0, "over the maximum");
    }

    /// @notice A clock behind the last accrual (a call simulated at an earlier time) grows nothing: borrowIndex and
    /// totalDebt return what was stored at the accrual instead of reverting, whatever the rate.
    function test_borrowIndex__clockBehindTheLastAccrual__storedIndex() public {
        _lp(LP, usdc, 1_000e6);
        vm.warp(T0 + 1_000);
        uint256 scaled = pool.lend(100e6, OTHER);
        uint256 index = pool.borrowIndex();
        assertGt(pool.ratePerSecond(), 0, "a positive rate");
        vm.warp(T0 + 500);
        assertEq(pool.borrowIndex(), index, "the stored index");
        assertEq(pool.totalDebt(), scaled * index / WAD, "the debt at the stored index");
        pool.nav(false); // the valuation accrues nothing either, and does not revert
    }

    /// @notice NAV and utilization sum every product's exposure: with the MarginEngine at PnL 100 / 200, 300 reserved
    /// and a 10 provision, and BOOK at -50 / 70, 200 reserved, a 5 provision and 100 USDC lent, the lower NAV is
    /// 3,900 + 100 - (200 + 70) - (10 + 5), the upper 3,900 + 100 - (100 - 50), utilization (300 + 200 + 100) / 4,000.
    function test_nav__twoProducts__sumEveryProductsExposure() public {
        _lp(LP, usdc, 4_000e6);
        _addBook(NO_CAP, 10_000);
        _bookLends(100e6);
        (stubPnlLow, stubPnlHigh, stubReserved, stubProvision) = (100e18, 200e18, 300e18, 10e18);
        book.setExposure(-50e18, 70e18, 200e18, 5e18);
        assertEq(pool.nav(false), 3_715e18, "lower NAV");
        assertEq(pool.nav(true), 3_950e18, "upper NAV");
        assertEq(pool.utilization(), 15e16, "600 of 4,000");
        assertEq(pool.sharePrice(false), WAD * (3_715e18 + WAD) / (4_000e18 + WAD), "lower share price");
    }

    /// @notice `products` lists the MarginEngine first, then the added products in order; `scaledDebtOf` splits the
    /// total between them.
    function test_products__registry__listsAndSplitsTheDebt() public {
        address[] memory list = pool.products();
        assertEq(list.length, 1, "the MarginEngine alone");
        assertEq(list[0], pool.marginEngine(), "product 0");
        _addBook(NO_CAP, 10_000);
        address third = _newBook();
        pool.addProduct(third, _caps(NO_CAP, 10_000));
        list = pool.products();
        assertEq(list.length, 3, "three");
        assertEq(list[1], address(book), "BOOK second");
        assertEq(list[2], third, "the third last");
        book.receiveLoss(0, 7e6);
        pool.receiveLoss(0, 5e6);
        assertEq(pool.scaledDebtOf(address(book)), 7e6, "BOOK's");
        assertEq(pool.scaledDebtOf(third), 0, "none");
        assertEq(pool.scaledDebtOf(address(this)), 5e6, "the MarginEngine's");
        assertEq(pool.totalScaledDebt(), 12e6, "the sum");
    }
}

/// @title PoolViewsWeightFeeTest
/// @notice the Pool's views in a pool of 6, 8 and 18 decimal assets, against independent valuations (fixture:
/// WeightFeePoolBase).
contract PoolViewsWeightFeeTest is WeightFeePoolBase {
    /// @notice NAV is the reserves at their prices plus the receivable less the traders' PnL: the lower NAV takes
    /// their upper PnL (30,000 USD), the upper NAV their lower (20,000 USD); the receivable is the 50,000 USDC of
    /// debt grown by 30 minutes of interest.
    function test_nav__receivableAndTradersPnl__lowerAndUpper() public {
        _seedBalanced();
        uint256 reserves = _reserveValue();
        assertEq(pool.nav(false), int256(reserves), "lower NAV: the reserves");
        assertEq(pool.nav(true), int256(reserves), "upper NAV: the reserves");
        pool.receiveLoss(0, 50_000e6);
        vm.warp(vm.getBlockTimestamp() + 30 minutes);
        stubPnlLow = 20_000e18;
        stubPnlHigh = 30_000e18;
        uint256 receivable = pool.totalDebt() * 1e12;
        assertGt(receivable, 50_000e18, "the debt grew");
        assertEq(pool.nav(false), int256(reserves + receivable) - 30_000e18, "lower NAV");
        assertEq(pool.nav(true), int256(reserves + receivable) - 20_000e18, "upper NAV");
    }

    /// @notice 1,000,000 USDC sent straight to the Pool is not booked: reserves and share prices do not move.
    function test_sharePrice__tokensSentStraightToThePool__unchanged() public {
        _seedBalanced();
        uint256 low = pool.sharePrice(false);
        uint256 high = pool.sharePrice(true);
        uint256 reserve = pool.reserves(address(usdc));
        usdc.mint(OTHER, 1_000_000e6);
        vm.prank(OTHER);
        usdc.transfer(address(pool), 1_000_000e6);
        assertEq(pool.sharePrice(false), low, "lower share price");
        assertEq(pool.sharePrice(true), high, "upper share price");
        assertEq(pool.reserves(address(usdc)), reserve, "reserve");
        assertEq(usdc.balanceOf(address(pool)), reserve + 1_000_000e6, "held beside the books");
    }

    /// @notice Utilization is (reserved + receivable) / (reserves + receivable), rounded up: 0 with nothing reserved,
    /// 500,000 USD reserved over the lower NAV, then 333,333 USD reserved and a 70,000 USDC receivable.
    function test_utilization__reservedAndReceivable__overTheBackingRoundedUp() public {
        _seedBalanced();
        assertEq(pool.utilization(), 0, "nothing reserved");
        stubReserved = 500_000e18;
        uint256 backing = uint256(pool.nav(false));
        assertTrue(500_000e18 * WAD % backing != 0, "a ratio to round");
        assertEq(pool.utilization(), 500_000e18 * WAD / backing + 1, "reserved over the backing");
        pool.receiveLoss(0, 70_000e6);
        stubReserved = 333_333e18;
        uint256 receivable = pool.totalDebt() * 1e12;
        uint256 used = (333_333e18 + receivable) * WAD;
        backing = _reserveValue() + receivable;
        assertTrue(used % backing != 0, "a ratio to round");
        assertEq(pool.utilization(), used / backing + 1, "reserved and receivable over the backing");
    }
}
