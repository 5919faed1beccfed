// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
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
