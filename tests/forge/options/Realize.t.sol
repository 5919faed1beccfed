// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../../../interfaces/IMarginProduct.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsRealizeTest
/// @notice Settled positions are realized at the account's next action in the book (`execute` through
/// `tradeProduct`): the cash is the payoff, booked by the engine against the Pool (fixture: OptionsBase).
contract OptionsRealizeTest is OptionsBase {
    function setUp() public override {
        super.setUp();
        _depositUsdc(TRADER, 10_000e6);
        _depositUsdc(OTHER, 10_000e6);
        _trade(TRADER, callId, 2e18);
        _trade(OTHER, callId, -1e18);
        _trade(OTHER, putId, -1e18);
        _expireAt(3_600e18);
        book.settle(callId);
        book.settle(putId);
    }

    /// @notice A long of 2 calls settled at 3,600 realizes 1,200 USD: paid by the Pool into its credit (1,200 USDC),
    /// announced; the position, the account's series and the product mask are cleared, and `settledLongUsd` drops by
    /// it (OTHER's short, not yet realized, still owes its 600).
    function test_realize__long__receivesThePayoff() public {
        uint256 credit = _credit(TRADER);
        uint256 reserve = pool.reserves(address(usdc));
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.PositionSettled(callId, TRADER, 2e18, 1_200e18);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, PRODUCT, 1_200e18, false, false);
        _realize(TRADER);
        assertEq(_credit(TRADER), credit + 1_200e6, "the payoff");
        assertEq(pool.reserves(address(usdc)), reserve - 1_200e6, "paid by the Pool");
        assertEq(book.positionOf(TRADER, callId), 0, "realized");
        assertEq(book.accountSeries(TRADER).length, 0, "no series");
        assertEq(engine.accountProducts(TRADER), 0, "mask cleared");
        assertEq(book.settledLongUsd(), 0, "no long owed");
        assertEq(book.settledShortUsd(), 600e18, "the short still owes");
    }

    /// @notice A short call settled at 3,600 pays 600 USD from its credit to the Pool; its worthless short put is
    /// realized at 0 in the same action.
    function test_realize__short__paysThePayoff() public {
        uint256 credit = _credit(OTHER);
        uint256 reserve = pool.reserves(address(usdc));
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.PositionSettled(callId, OTHER, -1e18, -600e18);
        _realize(OTHER);
        assertEq(_credit(OTHER), credit - 600e6, "the payoff paid");
        assertEq(pool.reserves(address(usdc)), reserve + 600e6, "to the Pool");
        assertEq(book.positionOf(OTHER, putId), 0, "the worthless put realized too");
        assertEq(book.accountSeries(OTHER).length, 0, "no series");
        assertEq(book.settledShortUsd(), 0, "nothing owed");
    }

    /// @notice Trading a new series realizes the settled one first: the engine books the payoff plus the trade's cash
    /// in one go, the trade's own cash is the result.
    function test_realize__atTheNextTrade__payoffPlusTradeCash() public {
        expiry = vm.getBlockTimestamp() + TENOR;
        uint256 next = _list(3_600e18, true);
        (int256 quoted,) = book.quote(next, 1e18);
        uint256 credit = _credit(TRADER);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, PRODUCT, 1_200e18 + quoted, true, true);
        (int256 cash,) = _tradeLimit(TRADER, next, 1e18, quoted);
        assertEq(cash, quoted, "the trade's own cash");
        assertEq(_credit(TRADER), credit + (uint256(1_200e18 + quoted)) / UNIT, "payoff less premium, one booking");
        assertEq(book.positionOf(TRADER, callId), 0, "the settled call realized");
        uint256[] memory held = book.accountSeries(TRADER);
        assertEq(held.length, 1, "only the new series");
        assertEq(held[0], next, "the new series");
    }

    /// @notice Before its series settles an expired position is not realized: an action of 0 has nothing to do.
    function test_realize__expiredUnsettled__nothingToDo() public {
        expiry = vm.getBlockTimestamp() + TENOR;
        uint256 next = _list(3_000e18, true);
        _trade(TRADER, next, 1e18); // realizes the settled call first
        _expireAt(3_000e18);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.NothingToDo.selector, TRADER));
        engine.tradeProduct(PRODUCT, _action(0, 0, 0));
    }
}

/// @title OptionsRealizeNewRiskPausedTest
/// @notice Realizing a settled long is never new risk: TRADER holds 2 calls struck at 3,000 (settled at 3,600: owed
/// 1,200) and is short 1 put struck at 3,000 expiring a week later (live); its initial margin is the put's own
/// margin-scenario loss before and after the payout (the settled payoff is not worth that offsets the live losses,
/// as the live positions are worth less than nothing), so realizing goes through while the guardian pauses new risk
/// (fixture: OptionsBase).
contract OptionsRealizeNewRiskPausedTest is OptionsBase {
    uint256 internal laterPut;

    function setUp() public override {
        super.setUp();
        laterPut = book.listSeries(address(weth), 3_000e18, expiry + 7 days, false, MAX_OPEN);
        _depositUsdc(TRADER, 10_000e6);
        _trade(TRADER, callId, 2e18);
        _trade(TRADER, laterPut, -1e18);
        _expireAt(3_600e18);
        book.settle(callId);
    }

    /// @dev The short put's value (negative, up) at `spot` and `sigma`, a week to go.
    function _putShortValue(uint256 spot, uint256 sigma) internal view returns (int256) {
        uint256 tau = expiry + 7 days - vm.getBlockTimestamp();
        return -int256(_unitUp(false, spot, 3_000e18, sigma, tau)); // 1 unit: 1e18 x unit / 1e18, exact
    }

    /// @notice With new risk paused, TRADER realizes the 1,200 owed to its calls: the engine books it (addsRisk
    /// false), the initial margin (the put's loss at 3,600 x 0.8 = 2,880 and 100 % vol) and the stress loss (at
    /// 2,520) are unchanged, and the put is still held.
    function test_realize__settledLongWithALiveShort__notNewRiskWhilePaused() public {
        uint256 marginLoss = uint256(_putShortValue(3_600e18, 0.8e18) - _putShortValue(2_880e18, 1e18));
        uint256 stressLoss = uint256(_putShortValue(3_600e18, 0.8e18) - _putShortValue(2_520e18, 1e18));
        IMarginProduct.AccountRisk memory before = _risk(TRADER, false);
        assertEq(before.initialValue, 1_200e18 + _putShortValue(3_600e18, 0.8e18), "the payoff and the put");
        assertTrue(before.initialValue > 0, "worth more than nothing in all");
        assertEq(before.initialMargin, marginLoss, "the put's margin loss, not offset by the payout");
        assertEq(before.stressLoss, stressLoss, "the put's stress loss");
        assertGt(before.initialMargin, 0, "margined");

        engine.setNewRiskPaused(true);
        uint256 credit = _credit(TRADER);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, PRODUCT, 1_200e18, false, true);
        _realize(TRADER);

        IMarginProduct.AccountRisk memory next = _risk(TRADER, false);
        assertEq(next.initialMargin, before.initialMargin, "the initial margin does not rise");
        assertEq(next.stressLoss, before.stressLoss, "nor the stress loss");
        assertEq(next.initialValue, _putShortValue(3_600e18, 0.8e18), "the put alone");
        assertEq(_credit(TRADER), credit + 1_200e6, "the payoff");
        assertEq(book.positionOf(TRADER, callId), 0, "realized");
        assertEq(book.positionOf(TRADER, laterPut), -1e18, "the put still held");

        vm.prank(TRADER);
        vm.expectRevert(IMarginEngineTypes.NewRiskPaused.selector);
        engine.tradeProduct(PRODUCT, _action(laterPut, -1e18, 0));
    }
}
