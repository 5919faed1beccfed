// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../../interfaces/IMarginEngine.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {EnginePropertiesBase} from "../../utils/EnginePropertiesBase.sol";

/// @title EnginePropertiesLiquidateTest
/// @notice Properties of `Liquidator.liquidate` / `liquidateMany` on the MarginEngine (docs/design.md#invariants, item 5):
/// only unhealthy accounts are touched and each liquidation helps; liquidating one's own account never pays (fixture:
/// EnginePropertiesBase).
contract EnginePropertiesLiquidateTest is EnginePropertiesBase {
    /// @notice Item 5: after WETH settles at 30 % to 110 % of its start, liquidating the victim (alone, or in a batch
    /// with the healthy bystander) reverts NotLiquidatable or skips it when it is healthy, and leaves its books alone;
    /// otherwise its maintenance surplus (equity less margin) rises. The bystander's books and health do not change.
    function testFuzz_liquidate__onlyUnhealthy__raisesHealthOrClosesAndTouchesNoOtherAccount(
        uint256 wethPct,
        bool batch
    ) public {
        _move(address(weth), _pctPrice(weth, bound(wethPct, 30, 110)));
        IMarginEngineTypes.Health memory before = engine.liquidationHealth(TRADER);
        bytes32 bystanderBooks = _books(OTHER);
        bytes32 bystanderHealth = _healthHash(engine.health(OTHER));
        bytes32 victimBooks = _books(TRADER);

        if (batch) {
            address[] memory skipped = _liquidateBothSkipped();
            for (uint256 i = 0; i < skipped.length; ++i) {
                address expected = i == 0 && !before.liquidatable ? TRADER : OTHER;
                assertEq(skipped[i], expected, "skipped: the healthy accounts, in order");
            }
            assertEq(skipped.length, before.liquidatable ? 1 : 2, "every healthy account skipped");
        } else if (before.liquidatable) {
            vm.prank(KEEPER);
            liquidator.liquidate(TRADER);
        } else {
            vm.expectRevert(
                abi.encodeWithSignature(
                    "NotLiquidatable(address,int256,uint256)",
                    TRADER,
                    before.maintenanceEquity,
                    before.maintenanceMargin
                )
            );
            vm.prank(KEEPER);
            liquidator.liquidate(TRADER);
        }

        if (before.liquidatable) {
            assertTrue(_surplus(engine.liquidationHealth(TRADER)) > _surplus(before), "the surplus rises");
        } else {
            assertEq(_books(TRADER), victimBooks, "a healthy victim untouched");
        }
        assertEq(_books(OTHER), bystanderBooks, "the bystander's books unchanged");
        assertEq(_healthHash(engine.health(OTHER)), bystanderHealth, "the bystander's health unchanged");
    }

    /// @notice The owner drives its account below maintenance, to `depthBps` (0 to 9,999) of the way from the
    /// maintenance margin down to zero maintenance equity, under any valid Liquidator parameters, and liquidates it from
    /// a second address of its own. Its collateral haircuts keep its value above any penalty: what the owner holds (the
    /// account at the median, never below zero, and both wallets) does not grow.
    /// @dev The Python property found the WETH price on the Python risk model; here it is found on `liquidationHealth`.
    /// 128 runs: each run bisects a price (about 40 health reads) and settles prices.
    /// forge-config: default.fuzz.runs = 128
    function testFuzz_liquidate__ownAccountUnderAnyValidLiquidatorParams__neverProfitable(
        ILiquidator.Params memory params,
        bool smallReward,
        bool smallDust,
        uint256 depthBps
    ) public {
        params.closeFactorBps = uint16(bound(params.closeFactorBps, 1_000, BPS));
        params.criticalHealthBps = uint16(bound(params.criticalHealthBps, 0, BPS));
        params.penaltyBps = uint16(bound(params.penaltyBps, 0, 499)); // below every market's 500 bps maintenance
        params.maxPenaltyBps = uint16(bound(params.maxPenaltyBps, params.penaltyBps, 499));
        params.keeperShareBps = uint16(bound(params.keeperShareBps, 0, BPS));
        if (smallReward) params.minKeeperReward = uint64(bound(params.minKeeperReward, 0, 1e8));
        if (smallDust) params.dustMarginUsd = uint112(bound(params.dustMarginUsd, 0, 1e21));
        liquidator.setParams(params);

        _move(address(weth), _priceWhere(TRADER, weth, bound(depthBps, 0, 9_999), false));
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "liquidatable");
        assertTrue(_selfLiquidationGain() <= 0, "self-liquidation never pays");
    }

    /// @notice The penalty is paid only out of what the account is still worth after the close, so an owner cannot make
    /// the InsuranceFund or the LPs pay it the keeper reward of its own nearly worthless account: WETH falls until the
    /// account is worth 5 USD at the median, less than the keeper reward (1 USDC minimum, 30 % of the penalty).
    function test_liquidate__ownAccountWorthLessThanTheKeeperReward__notProfitable() public {
        (uint256 now_,) = _range(weth);
        uint256 near = now_ / 1e10;
        uint256 far = 1;
        assertTrue(_markValue(TRADER, far * 1e10) <= 5e18 && _markValue(TRADER, near * 1e10) > 5e18, "bracket");
        while (near - far > 1) {
            uint256 mid = (near + far) / 2;
            (near, far) = _markValue(TRADER, mid * 1e10) <= 5e18 ? (near, mid) : (mid, far);
        }
        _move(address(weth), far * 1e10);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "liquidatable");
        assertTrue(_selfLiquidationGain() <= 0, "self-liquidation never pays");
    }

    /// @dev Liquidate TRADER from OWN_KEEPER in the same second (no accrual); the change of what the owner holds: the
    /// account at the median (its claim on it: never below zero) plus both wallets' USDC and collateral tokens at the
    /// lower price, USD WAD.
    function _selfLiquidationGain() internal returns (int256) {
        int256 before = _held();
        vm.prank(OWN_KEEPER);
        liquidator.liquidate(TRADER);
        return _held() - before;
    }

    function _held() internal view returns (int256 value) {
        value = _markValue(TRADER, 0);
        if (value < 0) value = 0;
        for (uint256 i = 0; i < 4; ++i) {
            MockERC20 token = _token(i);
            (uint256 low,) = _range(token);
            uint256 wallets = token.balanceOf(OWN_KEEPER) + token.balanceOf(TRADER);
            value += int256(token == usdc ? wallets * 1e12 : wallets * low / 10 ** token.decimals());
        }
    }
}
