// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../../interfaces/IErrors.sol";
import {ILiquidator} from "../../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../../interfaces/IMarginEngine.sol";
import {PriceRange} from "../../../../contracts/libraries/PriceRange.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {EnginePropertiesBase} from "../../utils/EnginePropertiesBase.sol";

/// @title EnginePropertiesIsolationTest
/// @notice Properties of accounts' isolation (docs/design.md#invariants, items 4, 9 and 10): what other accounts, LPs,
/// keepers and role holders do leaves an account's books and health alone, and only the Liquidator takes from an
/// account (fixture: EnginePropertiesBase).
contract EnginePropertiesIsolationTest is EnginePropertiesBase {
    /// @notice Items 4 and 10: with prices and the borrow index still (every action at one timestamp), one to four
    /// actions of others (the bystander trades 1 to 30 lots of ten minimum sizes either way in either market, a
    /// stranger gifts it 1 to 1,000,000 USDC, it withdraws 1 to 10,000 USDC, an LP deposits 1 to 1,000,000 USD of a pool
    /// asset, a keeper runs a batch over both accounts) change neither the victim's books nor its health.
    function testFuzz_othersActions__noPriceMoveOrAccrual__leaveAHealthyAccountUnchanged(
        uint256 count,
        uint256[4] memory kinds,
        uint256[4] memory args,
        uint256[4] memory ns
    ) public {
        assertTrue(!engine.health(TRADER).liquidatable, "the victim is healthy");
        bytes32 books = _books(TRADER);
        bytes32 health = _healthHash(engine.health(TRADER));
        count = bound(count, 1, 4);
        for (uint256 k = 0; k < count; ++k) {
            vm.roll(vm.getBlockNumber() + 1); // a new block at the same timestamp
            _otherAction(bound(kinds[k], 0, 4), args[k], ns[k]);
            assertEq(_books(TRADER), books, "the victim's books unchanged");
            assertEq(_healthHash(engine.health(TRADER)), health, "the victim's health unchanged");
        }
    }

    function _otherAction(uint256 kind, uint256 arg, uint256 n) internal {
        if (kind == 0) {
            uint256 market = arg % 2;
            n = bound(n, 1, 60); // 1..30 lots long, 31..60: 1..30 lots short
            int256 lots = n <= 30 ? int256(n) : -int256(n - 30);
            _open(OTHER, market, lots * int256(uint256(engine.marketParams(market).minSize)) * 10);
        } else if (kind == 1) {
            uint256 amount = bound(n, 1, 1_000_000) * 1e6;
            _fund(STRANGER, usdc, amount);
            vm.prank(STRANGER);
            engine.deposit(address(usdc), amount, OTHER);
        } else if (kind == 2) {
            _withdraw(OTHER, usdc, bound(n, 1, 10_000) * 1e6);
        } else if (kind == 3) {
            MockERC20 token = [usdc, wbtc, weth][arg % 3];
            _lpDeposit(LP, token, _unitsFor(token, bound(n, 1, 1_000_000)) + 1);
        } else {
            address[] memory skipped = _liquidateBothSkipped();
            assertTrue(skipped.length <= 2, "two skipped");
            assertEq(skipped.length, 2, "both healthy accounts skipped");
            assertEq(skipped[0], TRADER, "skipped in order");
            assertEq(skipped[1], OTHER, "skipped in order");
        }
    }

    /// @notice Item 9: whoever calls (the holder of every role, a stranger, a keeper, another trader), one to four
    /// times: the Liquidator-only entry points (liquidateAccount, with the Liquidator's parameters or the attacker's,
    /// absorbCollateral, payKeeperInCollateral, writeOffDebt) revert Unauthorized, a liquidation of the healthy victim reverts
    /// NotLiquidatable, topping up an asset the victim holds goes through and adding a new asset to its list reverts
    /// NotAccountOwner: its collateral never falls, its debt never grows, its positions never move.
    function testFuzz_liquidatorOnlyEntryPoints__anyOtherCaller__neverReduceCollateralOrAddDebt(
        uint256 count,
        uint256[4] memory ops,
        uint256[4] memory roles,
        uint256[4] memory ns
    ) public {
        address[4] memory attackers = [address(this), STRANGER, KEEPER, OTHER];
        count = bound(count, 1, 4);
        for (uint256 k = 0; k < count; ++k) {
            uint256[3] memory collateral = _collateralOf(TRADER);
            uint256 scaledDebt = _scaledDebt(TRADER);
            bytes32 positions = _positionsOf(TRADER);
            _attack(bound(ops[k], 0, 7), attackers[bound(roles[k], 0, 3)], bound(ns[k], 1, 1e9));
            uint256[3] memory collateralAfter = _collateralOf(TRADER);
            for (uint256 i = 0; i < 3; ++i) {
                assertGe(collateralAfter[i], collateral[i], "collateral never falls");
            }
            assertLe(_scaledDebt(TRADER), scaledDebt, "debt never grows");
            assertEq(_positionsOf(TRADER), positions, "positions never move");
        }
    }

    function _attack(uint256 op, address attacker, uint256 n) internal {
        bytes memory unauthorized = abi.encodeWithSelector(IErrors.Unauthorized.selector, attacker);
        PriceRange.Range memory settlement = PriceRange.Range(1e18, 1e18);
        if (op == 0) {
            ILiquidator.Params memory params = liquidator.params();
            vm.expectRevert(unauthorized);
            vm.prank(attacker);
            engine.liquidateAccount(TRADER, attacker, params);
        } else if (op == 1) {
            // Parameters of the attacker's choosing: closing everything, the largest penalty, all of it the keeper's.
            ILiquidator.Params memory p = ILiquidator.Params(uint16(n % BPS + 1), 10_000, 1_000, 1_000, 10_000, 0, 0);
            vm.expectRevert(unauthorized);
            vm.prank(attacker);
            engine.liquidateAccount(TRADER, attacker, p);
        } else if (op == 2) {
            vm.expectRevert(unauthorized);
            vm.prank(attacker);
            engine.absorbCollateral(TRADER, n % 2 == 0 ? type(uint256).max : n * 1e18);
        } else if (op == 3) {
            vm.expectRevert(unauthorized);
            vm.prank(attacker);
            engine.payKeeperInCollateral(TRADER, attacker, n, settlement);
        } else if (op == 4) {
            vm.expectRevert(unauthorized);
            vm.prank(attacker);
            engine.writeOffDebt(TRADER);
        } else if (op == 5) {
            IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
            vm.expectRevert(
                abi.encodeWithSignature(
                    "NotLiquidatable(address,int256,uint256)", TRADER, h.maintenanceEquity, h.maintenanceMargin
                )
            );
            vm.prank(attacker);
            liquidator.liquidate(TRADER);
        } else if (op == 6) {
            _fund(attacker, weth, n); // topping up an asset the victim holds is allowed
            vm.prank(attacker);
            engine.deposit(address(weth), n, TRADER);
        } else {
            _fund(attacker, wbtc, n); // adding an asset to the victim's list is not
            vm.expectRevert(abi.encodeWithSignature("NotAccountOwner(address,address)", TRADER, attacker));
            vm.prank(attacker);
            engine.deposit(address(wbtc), n, TRADER);
        }
    }

    function _collateralOf(address account) internal view returns (uint256[3] memory balances) {
        for (uint256 i = 0; i < 3; ++i) {
            balances[i] = engine.collateralBalance(account, address(_collateralToken(i)));
        }
    }

    function _positionsOf(address account) internal view returns (bytes32) {
        (, uint16 marketMask) = engine.accountMasks(account);
        return
            keccak256(abi.encode(marketMask, engine.position(account, WETH_PERP), engine.position(account, WBTC_PERP)));
    }
}
