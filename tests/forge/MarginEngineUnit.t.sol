// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {Vm} from "./utils/Vm.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title MarginEngineUnitBase
/// @notice Shared setup of the MarginEngine unit tests: the bench core, a seeded Pool, and helpers to count events
/// and to move one asset's price.
abstract contract MarginEngineUnitBase is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant OTHER = address(0x3333);

    bytes32 internal constant CASH_CHANGED = keccak256("CashChanged(address,int256,uint256,uint256,bytes32)");
    bytes32 internal constant POSITION_MODIFIED =
        keccak256("PositionModified(address,uint256,int256,int256,uint256,int256,uint256)");
    bytes32 internal constant TRANSFER = keccak256("Transfer(address,address,uint256)");
    bytes32 internal constant REPAID = keccak256("Repaid(address,uint256,uint256)");
    bytes32 internal constant PROFIT_PAID = keccak256("ProfitPaid(address,uint256)");

    function setUp() public virtual {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
    }

    /// @dev Events with `topic0` emitted by `emitter` among the recorded logs.
    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic0) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) ++n;
        }
    }

    /// @dev Move `asset`'s feed and let every TWAP catch up (every status Ok, median == twap).
    function _move(address asset, uint256 wad) internal {
        _setFeed(asset, wad);
        _settlePrices();
        _nextBlock();
    }

    /// @dev Make every price but `asset`'s fresh and `asset`'s Stale (older than MAX_PRICE_AGE).
    function _staleOnly(address asset) internal {
        vm.warp(vm.getBlockTimestamp() + MAX_PRICE_AGE + 1);
        for (uint256 i = 0; i < assets.length; ++i) {
            if (assets[i] == asset) continue;
            feedOf[assets[i]].setAnswer(feedOf[assets[i]].answer());
            oracle.update(assets[i]);
        }
    }

    function _market(uint256 market) internal view returns (IMarginEngineTypes.MarketParams memory) {
        return engine.marketParams(market);
    }

    function _credit(address account) internal view returns (uint256 credit) {
        (credit,,) = engine.cash(account);
    }
}

/// @title MarginEngineUnitTest
/// @notice Deterministic unit tests of the MarginEngine's trader actions and its cash and trade internals, for the
/// mutation campaign (security/mutation/README.md): each pins one branch of an `if` with exact figures or the custom
/// error with its arguments. Line numbers are those of contracts/MarginEngine.sol.
contract MarginEngineUnitTest is MarginEngineUnitBase {
    // ---------------------------------------------------------------- deposit

    /// @notice A zero deposit reverts ZeroAmount (line 66).
    function test_deposit__zeroAmount__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        vm.prank(TRADER);
        engine.deposit(address(weth), 0, TRADER);
    }

    /// @notice A deposit for the zero account reverts ZeroAddress (line 67).
    function test_deposit__zeroAccount__reverts() public {
        _fund(TRADER, weth, 1e18);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        vm.prank(TRADER);
        engine.deposit(address(weth), 1e18, address(0));
    }

    /// @notice USDC deposited becomes the account's cash credit, not collateral; WETH becomes collateral and sets its
    /// mask bit (lines 68 and 75).
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

    /// @notice Anyone may top up an asset the account holds (line 75: the held bit skips the owner check).
    function test_deposit__strangerTopsUpHeldAsset__credits() public {
        _deposit(TRADER, weth, 1e18);
        _fund(OTHER, weth, 2e18);
        vm.prank(OTHER);
        engine.deposit(address(weth), 2e18, TRADER);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 3e18, "topped up");
        assertEq(engine.collateralBalance(OTHER, address(weth)), 0, "nothing for the payer");
    }

    /// @notice A stranger may not add a new asset to an account's list (lines 75 and 77).
    function test_deposit__strangerAddsNewAsset__reverts() public {
        _deposit(TRADER, weth, 1e18);
        _fund(OTHER, wbtc, 1e8);
        vm.expectRevert(abi.encodeWithSignature("NotAccountOwner(address,address)", TRADER, OTHER));
        vm.prank(OTHER);
        engine.deposit(address(wbtc), 1e8, TRADER);
    }

    /// @notice A deposit beyond the asset's supply cap reverts with the total and the cap; up to it is fine (line 85).
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

    // ---------------------------------------------------------------- withdraw

    /// @notice A zero withdrawal reverts ZeroAmount (line 93).
    function test_withdraw__zeroAmount__reverts() public {
        _deposit(TRADER, weth, 1e18);
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        vm.prank(TRADER);
        engine.withdraw(address(weth), 0, TRADER);
    }

    /// @notice USDC comes out of the account's credit and is sent to `to` (lines 95 and 570).
    function test_withdraw__settlementCredit__paysOut() public {
        _deposit(TRADER, usdc, 500e6);
        vm.prank(TRADER);
        engine.withdraw(address(usdc), 200e6, OTHER);
        assertEq(usdc.balanceOf(OTHER), 200e6, "sent");
        assertEq(_credit(TRADER), 300e6, "credit left");
        assertEq(insurance.bookedBalance(), 0, "nothing to the InsuranceFund");
    }

    /// @notice Collateral out: a partial withdrawal keeps the mask bit, a full one clears it, beyond the balance
    /// reverts with the amounts (lines 95, 102 and 105).
    function test_withdraw__collateral__booksAndMask() public {
        _deposit(TRADER, weth, 2e18);
        vm.prank(TRADER);
        engine.withdraw(address(weth), 5e17, OTHER);
        assertEq(weth.balanceOf(OTHER), 5e17, "sent");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 15e17, "balance");
        assertEq(engine.totalCollateral(address(weth)), 15e17, "total");
        assertEq(_credit(TRADER), 0, "no cash");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 2, "still held");
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientCollateral(address,uint256,uint256)", address(weth), 2e18, 15e17)
        );
        vm.prank(TRADER);
        engine.withdraw(address(weth), 2e18, TRADER);
        vm.prank(TRADER);
        engine.withdraw(address(weth), 15e17, TRADER);
        (mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 0, "an empty balance leaves the mask");
    }

    /// @notice Unpaused, an account may borrow USDC against collateral; paused, it may still withdraw its own credit
    /// but not borrow (line 97).
    function test_withdraw__pausedBorrow__reverts() public {
        _deposit(TRADER, weth, 10e18);
        _deposit(TRADER, usdc, 100e6);
        vm.prank(TRADER);
        engine.withdraw(address(usdc), 1_000e6, TRADER);
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        assertEq(credit, 0, "credit used first");
        assertTrue(scaled != 0, "the rest borrowed");
        _deposit(OTHER, usdc, 100e6);
        engine.setNewRiskPaused(true);
        vm.prank(OTHER);
        engine.withdraw(address(usdc), 50e6, OTHER);
        assertEq(_credit(OTHER), 50e6, "own credit out while paused");
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        vm.prank(OTHER);
        engine.withdraw(address(usdc), 50e6 + 1, OTHER);
    }

    /// @notice An account with debt and no position still needs initial margin to withdraw collateral (line 110).
    function test_withdraw__debtOnly__needsMargin() public {
        _deposit(TRADER, weth, 1e18); // initial value 2,550 USD
        vm.prank(TRADER);
        engine.withdraw(address(usdc), 2_000e6, TRADER);
        (, uint256 scaled,) = engine.cash(TRADER);
        assertTrue(scaled != 0, "debt");
        // 0.5 WETH: initial 1,275 USD against a 2,000.000001 USDC debt (the scaled debt rounds up by one unit);
        // stress loss 20 % of 1,275.
        vm.expectRevert(
            abi.encodeWithSignature(
                "InsufficientMargin(int256,uint256,int256)", int256(-725.000001e18), uint256(0), int256(-980.000001e18)
            )
        );
        vm.prank(TRADER);
        engine.withdraw(address(weth), 5e17, TRADER);
    }

    /// @notice With no debt and no position a withdrawal reads no price: it goes through while WETH is Stale
    /// (line 110).
    function test_withdraw__noDebtNoPosition__needsNoPrice() public {
        _deposit(TRADER, weth, 1e18);
        _staleOnly(address(weth));
        vm.prank(TRADER);
        engine.withdraw(address(weth), 1e18, TRADER);
        assertEq(weth.balanceOf(TRADER), 1e18, "withdrawn");
    }

    // ---------------------------------------------------------------- modifyPosition: checks

    /// @notice A zero size change reverts ZeroAmount; beyond +-int128.max reverts SizeOutOfRange (lines 118, 120).
    function test_modifyPosition__zeroOrOutOfRange__reverts() public {
        int256 max = type(int128).max;
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        engine.modifyPosition(0, 0, 0);
        vm.expectRevert(abi.encodeWithSignature("SizeOutOfRange(int256,int256)", max + 1, max));
        engine.modifyPosition(0, max + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSignature("SizeOutOfRange(int256,int256)", -max - 1, max));
        engine.modifyPosition(0, -max - 1, 0);
    }

    /// @notice A buy above the acceptable price and a sell below it revert; at the limit both go through (line 129).
    function test_modifyPosition__slippage__reverts() public {
        _deposit(TRADER, usdc, 10_000e6);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 3_000e18, 2_999e18));
        vm.prank(TRADER);
        engine.modifyPosition(0, 1e18, 2_999e18);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 3_000e18, 3_001e18));
        vm.prank(TRADER);
        engine.modifyPosition(0, -1e18, 3_001e18);
        vm.prank(TRADER);
        engine.modifyPosition(0, 1e18, 3_000e18);
        vm.prank(TRADER);
        engine.modifyPosition(0, -2e18, 3_000e18);
        assertEq(int256(engine.position(TRADER, 0).size), -1e18, "flipped to a short");
    }

    /// @notice A position below the minimum size reverts; a full close (size 0) is fine (line 133).
    function test_modifyPosition__minSize__revertsButCloses() public {
        _deposit(TRADER, usdc, 10_000e6);
        vm.expectRevert(abi.encodeWithSignature("PositionTooSmall(uint256,uint256,uint256)", 0, 5e15, 1e16));
        _open(TRADER, 0, 5e15);
        _open(TRADER, 0, 1e18);
        vm.expectRevert(abi.encodeWithSignature("PositionTooSmall(uint256,uint256,uint256)", 0, 5e15, 1e16));
        _open(TRADER, 0, -995e15);
        _open(TRADER, 0, -1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 0, "the market leaves the mask");
    }

    /// @notice An open that passes initial margin but not the stress test reverts InsufficientMargin: 1.7 WETH on
    /// 1,000 USDC (fee 5.10), initial margin 510, stress loss 1,020 (lines 125, 138, 471).
    function test_modifyPosition__stressFails__reverts() public {
        _deposit(TRADER, usdc, 1_000e6);
        vm.expectRevert(
            abi.encodeWithSignature(
                "InsufficientMargin(int256,uint256,int256)", int256(994.9e18), uint256(510e18), int256(-25.1e18)
            )
        );
        _open(TRADER, 0, 1.7e18);
        _open(TRADER, 0, 1.5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 1.5e18, "within the stress budget");
    }

    /// @notice Paused: opening, adding and flipping revert NewRiskPaused; a partial reduce goes through (lines 125,
    /// 126).
    function test_modifyPosition__paused__onlyReduces() public {
        _deposit(TRADER, usdc, 10_000e6);
        _open(TRADER, 0, 2e18);
        engine.setNewRiskPaused(true);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 0, 1e18);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 0, -4e18);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 1, 1e16);
        _open(TRADER, 0, -1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 1e18, "reduced");
    }

    /// @notice 30 WETH long on 10 WETH at 2,700: above maintenance, below the stress requirement. A partial reduce
    /// needs only maintenance, so it goes through (lines 138, 144).
    function test_modifyPosition__reduceBelowInitial__goesThrough() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _move(address(weth), 2_700e18);
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertTrue(h.stressEquity < 0, "below the stress requirement");
        assertTrue(!h.liquidatable, "above maintenance");
        _open(TRADER, 0, -10e18);
        assertEq(int256(engine.position(TRADER, 0).size), 20e18, "reduced");
    }

    /// @notice At 2,400 the account is liquidatable: a partial reduce that leaves it so reverts BelowMaintenance
    /// (lines 141, 144).
    function test_modifyPosition__reduceWhileLiquidatable__reverts() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _move(address(weth), 2_400e18);
        assertTrue(engine.health(TRADER).liquidatable, "liquidatable");
        vm.expectPartialRevert(bytes4(keccak256("BelowMaintenance(int256,uint256)")));
        _open(TRADER, 0, -1e16);
        assertEq(int256(engine.position(TRADER, 0).size), 30e18, "unchanged");
    }

    /// @notice An insolvent account may still close in full (line 141: only a partial reduce is checked).
    function test_modifyPosition__insolventFullClose__goesThrough() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _move(address(weth), 2_000e18);
        assertTrue(engine.health(TRADER).maintenanceEquity < 0, "insolvent");
        _open(TRADER, 0, -30e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertTrue(engine.health(TRADER).liquidatable, "still liquidatable, with no position");
    }

    /// @notice Open interest beyond a side's cap reverts with the side's total and cap (lines 490, 491).
    function test_modifyPosition__openInterestCap__reverts() public {
        IMarginEngineTypes.MarketParams memory p = _market(0);
        (p.longOpenInterestCap, p.shortOpenInterestCap) = (5e18, 3e18);
        engine.setMarketParams(0, p);
        _deposit(TRADER, usdc, 100_000e6);
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 6e18, 5e18));
        _open(TRADER, 0, 6e18);
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 4e18, 3e18));
        _open(OTHER, 0, -4e18);
        _open(TRADER, 0, 5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 5e18, "up to the cap");
    }
}
