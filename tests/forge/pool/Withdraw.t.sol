// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {PayoutsBase} from "../utils/PayoutsBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {WeightFeePoolBase} from "../utils/WeightFeePoolBase.sol";

/// @title PoolWithdrawPayoutsTest
/// @notice `Pool.withdraw`: LP withdrawals, their pricing, the settlement backing and utilization limits (fixture: PayoutsBase).
contract PoolWithdrawPayoutsTest is PayoutsBase {
    /// @notice A 100 WETH short at 3,000 reserves its 300,000 USD entry notional, the most it can gain. With WETH at
    /// 1,000 its profit is about 200,000 USD: an LP may not take the USDC reserve down to 120,000
    /// (SettlementBackingShort), and the short closes with its profit paid in full.
    function test_withdraw__belowAShortsProfit__refusedAndTheCloseIsPaid() public {
        _openWeth(TRADER, 100_000e6, -100e18);
        (,, uint256 reserved,) = engine.poolExposure(false);
        assertEq(reserved, 300_000e18, "the entry notional");
        _settleWethAt(1_000e18);
        (,, reserved,) = engine.poolExposure(false);
        assertEq(reserved, 300_000e18, "whatever the price");
        // Shares worth 880,000 USD at the lower share price (no weight fees in this pool).
        uint256 shares = 880_000e18 * 1e18 / pool.sharePrice(false);
        vm.prank(LP);
        try pool.withdraw(shares, address(usdc), 0, LP) {
            revert("an LP took the USDC the short's profit needs");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IPoolTypes.SettlementBackingShort.selector, "refused for the payout backing");
        }
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertGt(creditAfter - creditBefore, 199_000e6, "about 200,000 USD of profit paid in full");
    }
}

/// @title PoolWithdrawTest
/// @notice `Pool.withdraw`: LP withdrawals, their pricing, the settlement backing and utilization limits (fixture: StandalonePoolBase).
contract PoolWithdrawTest is StandalonePoolBase {
    /// @dev `who` redeeming `shares` for `token`, asking at least `minAmount`, reverts with `err`.
    function _expectWithdrawRevert(address who, uint256 shares, MockERC20 token, uint256 minAmount, bytes memory err)
        internal
    {
        vm.expectRevert(err);
        _withdrawAs(who, shares, token, minAmount);
    }

    /// @notice Zero shares revert ZeroAmount before the receiver is looked at.
    function test_withdraw__zeroShares__revertsFirst() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        pool.withdraw(0, address(usdc), 0, address(0));
    }

    /// @notice A zero receiver reverts ZeroAddress before the asset is looked at.
    function test_withdraw__zeroReceiver__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        vm.prank(LP);
        pool.withdraw(1e18, address(0xdead), 0, address(0));
    }

    /// @notice Withdrawing more shares than held reverts ERC20InsufficientBalance before pricing them.
    function test_withdraw__moreThanHeld__reverts() public {
        _seedTwoAssets();
        _expectWithdrawRevert(
            OTHER,
            1e30,
            usdc,
            0,
            abi.encodeWithSignature("ERC20InsufficientBalance(address,uint256,uint256)", OTHER, 0, 1e30)
        );
    }

    /// @notice The only LP takes everything out: 1,000 shares for 1,000 USDC, then 3,000 shares for 1 WETH; books and
    /// supply at zero.
    function test_withdraw__fullExit__paysEverything() public {
        _seedTwoAssets();
        vm.startPrank(LP);
        assertEq(pool.withdraw(1_000e18, address(usdc), 1_000e6, LP), 1_000e6, "USDC out");
        assertEq(pool.withdraw(3_000e18, address(weth), 1e18, LP), 1e18, "WETH out");
        vm.stopPrank();
        assertEq(usdc.balanceOf(LP), 1_000e6, "LP USDC");
        assertEq(weth.balanceOf(LP), 1e18, "LP WETH");
        assertEq(pool.reserves(address(usdc)), 0, "USDC reserve");
        assertEq(pool.reserves(address(weth)), 0, "WETH reserve");
        assertEq(pool.totalSupply(), 0, "supply");
    }

    /// @notice 500 shares are worth exactly 500 USDC: asking 1 unit more reverts SlippageExceeded; asking 500 passes.
    function test_withdraw__belowMinAmount__reverts() public {
        _seedTwoAssets();
        _expectWithdrawRevert(
            LP, 500e18, usdc, 500e6 + 1, abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 500e6, 500e6 + 1)
        );
        assertEq(_withdrawAs(LP, 500e18, usdc, 500e6), 500e6, "exactly the minimum");
    }

    /// @notice All 4,000 shares in USDC would need 4,000 USDC out of a 1,000 reserve: InsufficientLiquidity with both.
    function test_withdraw__beyondTheAssetReserve__reverts() public {
        _seedTwoAssets();
        _expectWithdrawRevert(
            LP,
            4_000e18,
            usdc,
            0,
            abi.encodeWithSignature("InsufficientLiquidity(address,uint256,uint256)", address(usdc), 4_000e6, 1_000e6)
        );
    }

    /// @notice One share (1e-18 USD) is worth no USDC unit: ZeroAmount, nothing burned.
    function test_withdraw__worthNoUnit__reverts() public {
        _seedTwoAssets();
        _expectWithdrawRevert(LP, 1, usdc, 0, abi.encodeWithSignature("ZeroAmount()"));
        assertEq(pool.balanceOf(LP), 4_000e18, "nothing burned");
    }

    /// @notice 600 USD reserved for positions: taking 500 of the 1,000 USDC leaves 500 USD of settlement backing,
    /// SettlementBackingShort(500, 600); taking 400 leaves exactly 600 and passes.
    function test_withdraw__settlementBelowReserved__reverts() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        _expectWithdrawRevert(
            LP, 500e18, usdc, 0, abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 500e18, 600e18)
        );
        assertEq(_withdrawAs(LP, 400e18, usdc, 0), 400e6, "backing exactly the reserved");
        assertEq(pool.reserves(address(usdc)), 600e6, "USDC reserve");
    }

    /// @notice The settlement backing is checked only for the settlement asset: with 600 USD reserved, all the WETH
    /// leaves (utilization 600 / 1,000 = 60 %).
    function test_withdraw__otherAssetDrained__noSettlementCheck() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        assertEq(_withdrawAs(LP, 3_000e18, weth, 0), 1e18, "all the WETH");
        assertEq(pool.reserves(address(weth)), 0, "WETH reserve");
        assertEq(pool.utilization(), 6e17, "600 / 1,000");
    }

    /// @notice 950 USD reserved: taking all the WETH would leave utilization at 950 / 1,000 = 95 % > 90 %:
    /// UtilizationExceeded(95 %, 90 %).
    function test_withdraw__aboveMaxUtilization__reverts() public {
        _seedTwoAssets();
        stubReserved = 950e18;
        _expectWithdrawRevert(
            LP, 3_000e18, weth, 0, abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", 95e16, 9e17)
        );
    }

    /// @notice USDC at 25 % of the pool against a 50 % target, base fee 10 bps, tax 100 bps: taking 500 USDC moves it
    /// to 14.28 % (further from target), fee 10 + ceil(100 * 3,036 / 5,000) = 71 bps, 496.45 USDC paid.
    function test_withdraw__awayFromTarget__paysTheTax() public {
        _seedTwoAssets();
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 10, 100, CAP));
        assertEq(_withdrawAs(LP, 500e18, usdc, 0), 496_450_000, "500 USDC less 71 bps");
        assertEq(pool.reserves(address(usdc)), 503_550_000, "the fee stays in the reserve");
    }
}

/// @title PoolWithdrawWeightFeeTest
/// @notice `Pool.withdraw` in a pool of 6, 8 and 18 decimal assets with weight fees, against independent statements of
/// the fee rule and of the share math (fixture: WeightFeePoolBase).
contract PoolWithdrawWeightFeeTest is WeightFeePoolBase {
    /// @notice In the balanced pool, a tenth of LP's shares in USDC pays their value (shares times (lower NAV + 1e18
    /// virtual value) / (supply + 1e18 virtual shares)) converted at USDC's upper price, less the model's fee rounded
    /// up; the shares are burned and the Withdraw event says so.
    function test_withdraw__afterTheCooldown__paysTheShareValueAtTheUpperPriceLessTheFee() public {
        _seedBalanced();
        uint256 shares = pool.balanceOf(LP) / 10;
        uint256 navLow = uint256(pool.nav(false));
        uint256 supply = pool.totalSupply();
        uint256 gross = (shares * (navLow + WAD) / (supply + WAD)) * 1e6 / WAD;
        uint256 fee = _modelFeeBps(usdc, gross, false);
        uint256 amount = _lessFee(gross, fee);
        assertGt(fee, 0, "a fee to take");
        uint256 before = usdc.balanceOf(LP);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IPoolTypes.Withdraw(LP, LP, address(usdc), shares, fee, amount);
        assertEq(_withdrawAs(LP, shares, usdc, 0), amount, "paid");
        assertEq(usdc.balanceOf(LP) - before, amount, "received");
        assertEq(pool.balanceOf(LP) + shares, supply, "burned from LP");
        assertEq(pool.totalSupply(), supply - shares, "supply");
    }

    /// @notice Property: with no cooldown, depositing 1 to 400,000 USD of USDC, WBTC or WETH into the balanced pool and
    /// withdrawing every share minted, in the same asset, never returns more than was deposited.
    function testFuzz_withdraw__afterDeposit__neverReturnsMore(uint256 assetSeed, uint256 usd) public {
        MockERC20 token = _token(bound(assetSeed, 0, 2));
        usd = bound(usd, 1, 400_000);
        _seedBalanced();
        pool.setCooldown(0);
        uint256 amount = _units(token, usd);
        if (amount == 0) amount = 1;
        uint256 shares = _lp(OTHER, token, amount);
        uint256 out = _withdrawAs(OTHER, shares, token, 0);
        assertLe(out, amount, "a round trip returned more");
        assertEq(token.balanceOf(OTHER), out, "received");
        assertEq(pool.balanceOf(OTHER), 0, "every share burned");
    }
}
