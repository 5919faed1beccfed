// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {EnginePropertiesBase} from "../../utils/EnginePropertiesBase.sol";

/// @title EnginePropertiesRoundTripTest
/// @notice Item 7 of docs/design.md#invariants on `MarginEngine.deposit`, `modifyPosition` and `withdraw`: a round trip
/// in one block never returns more than was put in (fixture: EnginePropertiesBase).
contract EnginePropertiesRoundTripTest is EnginePropertiesBase {
    /// @notice Deposit 100 to 100,000 USDC of cash and 0 to 100,000 USD of WBTC, WETH or LTT, open 1 % to 90 % of the
    /// largest position the engine accepts (and the cash can pay both trading fees of, with a tenth to spare), long or
    /// short in either market, close it, withdraw everything, all at one timestamp: the trader gets its collateral back
    /// and its cash less exactly the two trading fees, and the account is empty.
    /// @dev The Python property sized the position with the Python risk model; here the size is the engine's own
    /// largest accepted open.
    /// 128 runs: each run bisects an open size (about 15 trial opens).
    /// forge-config: default.fuzz.runs = 128
    function testFuzz_depositOpenCloseWithdraw__roundTripInOneBlock__neverReturnsMore(
        uint256 collateralIndex,
        uint256 collateralUsd,
        uint256 cashUsd,
        bool wbtcMarket,
        bool long,
        uint256 leveragePct
    ) public {
        Trip memory t;
        t.token = _collateralToken(bound(collateralIndex, 0, 2));
        t.market = wbtcMarket ? WBTC_PERP : WETH_PERP;
        t.cash = bound(cashUsd, 100, 100_000) * 1e6;
        t.amount = _unitsFor(t.token, bound(collateralUsd, 0, 100_000));
        _fund(FRESH, usdc, t.cash);
        if (t.amount != 0) _fund(FRESH, t.token, t.amount);
        (t.usdcWallet, t.tokenWallet) = (usdc.balanceOf(FRESH), t.token.balanceOf(FRESH));

        // One timestamp throughout: no borrow fee accrues.
        vm.prank(FRESH);
        engine.deposit(address(usdc), t.cash, FRESH);
        if (t.amount != 0) {
            vm.prank(FRESH);
            engine.deposit(address(t.token), t.amount, FRESH);
        }
        _openAndClose(t, long, bound(leveragePct, 1, 90));
        assertEq(_scaledDebt(FRESH), 0, "the cash covered both fees");
        uint256 credit = _credit(FRESH);
        if (credit != 0) _withdraw(FRESH, usdc, credit);
        if (t.amount != 0) _withdraw(FRESH, t.token, t.amount);

        uint256 fee = _divUp(_divUp(_divUp(t.size * t.price, WAD) * t.feeBps, BPS) * 1e6, WAD);
        assertEq(t.token.balanceOf(FRESH), t.tokenWallet, "the collateral back in full");
        assertEq(usdc.balanceOf(FRESH), t.usdcWallet - 2 * fee, "the cash back less exactly the two fees");
        assertTrue(_isEmpty(FRESH), "the account is empty");
    }

    struct Trip {
        MockERC20 token;
        uint256 market;
        uint256 cash;
        uint256 amount;
        uint256 usdcWallet;
        uint256 tokenWallet;
        uint256 price;
        uint256 feeBps;
        uint256 size;
    }

    /// @dev Open `leveragePct` of the largest size the engine accepts and the cash pays both fees of, then close it.
    function _openAndClose(Trip memory t, bool long, uint256 leveragePct) internal {
        (t.price,) = _range(_marketToken(t.market));
        t.feeBps = engine.marketParams(t.market).tradingFeeBps;
        // Both trading fees come out of the cash: 2 * notional * fee <= cash, with a tenth to spare.
        uint256 byCash = t.cash * 1e12 * BPS / (2 * t.feeBps) * 9 / 10 * WAD / t.price;
        uint256 size = _maxOpenSize(FRESH, t.market, long);
        if (byCash < size) size = byCash;
        t.size = _roundSize(size * leveragePct / 100, t.market);
        if (t.size == 0) return;
        int256 signed = long ? int256(t.size) : -int256(t.size);
        _open(FRESH, t.market, signed);
        _open(FRESH, t.market, -signed);
    }
}
