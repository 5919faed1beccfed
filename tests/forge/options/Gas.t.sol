// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {GasMeter} from "../utils/GasMeter.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsGasBase
/// @notice Gas of the options book through the core: `tradeProduct` (buy, write), `settle`, a liquidation of a perp
/// with 1 and with 4 option series, and `engine.health` with 0, 1 and 4 series held. Print with
/// `forge test --match-path tests/forge/options/Gas.t.sol -vv`.
/// @dev Forge runs each test function as its own transaction after `setUp` is committed, so the measured call finds
/// every account and slot cold, as a user's transaction would (see GasMeter). OTHER holds a position in every series,
/// so no series slot goes from zero to non-zero in a measured trade. Each test asserts the operation did what it
/// should and that its tx gas stays under a ceiling (the figure measured when the ceiling was set, +10 %). The figures
/// are logged, not recorded for `make bench` (no snapshot key of their own yet).
abstract contract OptionsGasBase is OptionsBase, GasMeter {
    /// @dev Two more WETH calls (3,300 and 3,900): five series in all.
    uint256 internal call3300;
    uint256 internal call3900;

    function setUp() public virtual override {
        super.setUp();
        call3300 = _list(3_300e18, true);
        call3900 = _list(3_900e18, true);
        _depositUsdc(OTHER, 1_000_000e6);
        _trade(OTHER, callId, 1e18);
        _trade(OTHER, putId, 1e18);
        _trade(OTHER, otmCallId, 1e18);
        _trade(OTHER, call3300, 1e18);
        _nextBlock();
    }

    /// @notice Record `g` for `make bench` under `key`, log it under `name`, and fail above `ceiling`.
    function _log(string memory key, string memory name, Gas memory g, uint256 ceiling) internal {
        _record(key, g);
        emit log_named_uint(string.concat(name, ": tx gas"), g.txGas);
        emit log_named_uint(string.concat(name, ": execution"), g.execution);
        assertLe(g.txGas, ceiling, string.concat(name, ": tx gas above its ceiling"));
    }

    /// @dev `account`: `usdc` USDC, short 2 WETH on market 0, and short `size` of each of `ids`.
    function _perpAndShorts(address account, uint256 usdc_, uint256[] memory ids, int256 size) internal {
        _depositUsdc(account, usdc_);
        _open(account, 0, -2e18);
        for (uint256 i = 0; i < ids.length; ++i) {
            _trade(account, ids[i], -size);
        }
    }

    function _one() internal view returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = callId;
    }

    function _four() internal view returns (uint256[] memory ids) {
        ids = new uint256[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (callId, call3300, otmCallId, call3900);
    }
}

/// @notice `tradeProduct` buy and write, and `engine.health` with 0, 1 and 4 series held (each with a perp).
contract OptionsGasTradeTest is OptionsGasBase {
    address internal buyer;
    address internal seller;
    address internal writer;
    address internal holder0;
    address internal holder1;
    address internal holder4;

    function setUp() public override {
        super.setUp();
        buyer = _actor("buyer");
        seller = _actor("seller");
        writer = _actor("writer");
        holder0 = _actor("holder0");
        holder1 = _actor("holder1");
        holder4 = _actor("holder4");
        _depositUsdc(buyer, 10_000e6);
        _depositUsdc(writer, 10_000e6);
        _depositUsdc(seller, 10_000e6);
        _trade(seller, callId, 1e18);
        _perpAndShorts(holder0, 20_000e6, new uint256[](0), 0);
        _perpAndShorts(holder1, 20_000e6, _one(), 1e18);
        _perpAndShorts(holder4, 20_000e6, _four(), 1e18);
        _nextBlock();
    }

    function test_gas__tradeProduct_buy() public {
        (Gas memory g,) = _measure(
            buyer,
            address(engine),
            abi.encodeCall(engine.tradeProduct, (PRODUCT, _action(callId, 1e18, type(int256).min)))
        );
        assertEq(book.positionOf(buyer, callId), 1e18, "bought");
        _log("option_buy", "options: tradeProduct buy (first series of the account)", g, 587_200);
    }

    function test_gas__tradeProduct_write() public {
        (Gas memory g,) =
            _measure(writer, address(engine), abi.encodeCall(engine.tradeProduct, (PRODUCT, _action(putId, -1e18, 0))));
        assertEq(book.positionOf(writer, putId), -1e18, "written");
        _log("option_write", "options: tradeProduct write (first series of the account)", g, 606_400);
    }

    function test_gas__tradeProduct_sellBack() public {
        (Gas memory g,) =
            _measure(seller, address(engine), abi.encodeCall(engine.tradeProduct, (PRODUCT, _action(callId, -1e18, 0))));
        assertEq(book.positionOf(seller, callId), 0, "sold back");
        assertEq(book.accountSeries(seller).length, 0, "holds nothing");
        _log("option_sell", "options: tradeProduct sell back (closes the account's only series)", g, 177_900);
    }

    function test_gas__health_0series() public {
        (Gas memory g, bytes memory ret) = _measure(OTHER, address(engine), abi.encodeCall(engine.health, (holder0)));
        assertTrue(!abi.decode(ret, (IMarginEngineTypes.Health)).liquidatable, "healthy");
        _log("option_health_0", "options: engine.health (USDC, 1 perp, 0 option series)", g, 67_300);
    }

    function test_gas__health_1series() public {
        (Gas memory g, bytes memory ret) = _measure(OTHER, address(engine), abi.encodeCall(engine.health, (holder1)));
        assertGt(abi.decode(ret, (IMarginEngineTypes.Health)).maintenanceMargin, 0, "margined");
        _log("option_health_1", "options: engine.health (USDC, 1 perp, 1 option series)", g, 133_400);
    }

    function test_gas__health_4series() public {
        (Gas memory g, bytes memory ret) = _measure(OTHER, address(engine), abi.encodeCall(engine.health, (holder4)));
        assertGt(abi.decode(ret, (IMarginEngineTypes.Health)).maintenanceMargin, 0, "margined");
        assertEq(book.accountSeries(holder4).length, 4, "four series");
        _log("option_health_4", "options: engine.health (USDC, 1 perp, 4 option series)", g, 277_600);
    }
}

/// @notice `Liquidator.liquidate` of an account with 6,000 USDC, a 2 WETH short and short calls (5 in 1 series, or 2 in
/// each of 4), after WETH rose to 3,700 (median = TWAP): one call closes half of the perp and of the options.
contract OptionsGasLiquidateTest is OptionsGasBase {
    address internal liq1;
    address internal liq4;

    function setUp() public override {
        super.setUp();
        liq1 = _actor("liq1");
        liq4 = _actor("liq4");
        _perpAndShorts(liq1, 6_000e6, _one(), 5e18);
        _perpAndShorts(liq4, 6_000e6, _four(), 2e18);
        _moveWeth(3_700e18);
        assertTrue(engine.liquidationHealth(liq1).liquidatable, "fixture: liq1 liquidatable");
        assertTrue(engine.liquidationHealth(liq4).liquidatable, "fixture: liq4 liquidatable");
        _assertNotCritical(liq1);
        _assertNotCritical(liq4);
    }

    function _assertNotCritical(address account) internal view {
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(account);
        assertTrue(h.maintenanceEquity > int256(h.maintenanceMargin / 2), "fixture: above the critical health");
    }

    function test_gas__liquidate_perpAnd1Series() public {
        (Gas memory g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (liq1)));
        assertEq(book.positionOf(liq1, callId), -2.5e18, "half the options closed");
        assertEq(engine.position(liq1, 0).size, -1e18, "half the perp closed");
        _log("option_liquidate_1", "options: liquidate (1 perp + 1 option series)", g, 476_800);
    }

    function test_gas__liquidate_perpAnd4Series() public {
        (Gas memory g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (liq4)));
        assertEq(book.positionOf(liq4, callId), -1e18, "half of each series closed");
        assertEq(book.positionOf(liq4, call3900), -1e18, "half of each series closed");
        assertEq(engine.position(liq4, 0).size, -1e18, "half the perp closed");
        _log("option_liquidate_4", "options: liquidate (1 perp + 4 option series)", g, 1_017_500);
    }
}

/// @notice `settle` of a series with longs and shorts open, one block after expiry (the TWAP at expiry recorded).
contract OptionsGasSettleTest is OptionsGasBase {
    function setUp() public override {
        super.setUp();
        _depositUsdc(TRADER, 10_000e6);
        _trade(TRADER, callId, -1e18);
        _expireAt(3_300e18);
    }

    function test_gas__settle() public {
        (Gas memory g, bytes memory ret) = _measure(KEEPER, address(book), abi.encodeCall(book.settle, (callId)));
        assertEq(abi.decode(ret, (uint256)), 3_300e18, "settled at the TWAP");
        assertEq(book.settledLongUsd(), 300e18, "OTHER's long");
        _log("option_settle", "options: settle (recorded TWAP at expiry)", g, 151_000);
    }
}
