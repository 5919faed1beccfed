// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {AccountMath} from "../../../contracts/libraries/AccountMath.sol";
import {PositionPacking} from "../../../contracts/libraries/PositionPacking.sol";
import {EngineStorageBase} from "../utils/EngineStorageBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEnginePositionStorageTest
/// @notice A position is kept in one word while its figures fit (`PositionPacking`) and whole beside the WIDE mark
/// when they do not (an entry price of about 1.2 million USD per unit or more, a borrow index 19.4 times its start or
/// more). Either way the engine reads back exactly what it wrote: the position view, the realized PnL and the borrow
/// fee are those of the figures the trade computed. A closed position leaves a zero word.
contract MarginEnginePositionStorageTest is EngineStorageBase {
    uint256 internal constant WBTC_MARKET = 1;

    function setUp() public override {
        super.setUp();
        _deposit(TRADER, usdc, 1_000_000e6);
        _nextBlock();
    }

    function _position(address account) internal view returns (IMarginEngineTypes.Position memory) {
        return engine.position(account, WBTC_MARKET);
    }

    /// @dev Trade `size` of WBTC for TRADER; returns the trade's realized PnL from its `PositionModified` and the
    /// borrow index it traded at.
    function _trade(int256 size) internal returns (int256 realized, uint256 index) {
        vm.recordLogs();
        _open(TRADER, WBTC_MARKET, size);
        index = pool.borrowIndex();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == POSITION_MODIFIED) {
                (,,, realized,) = abi.decode(logs[i].data, (int256, int256, uint256, int256, uint256));
            }
        }
        _nextBlock();
    }

    /// @dev What closing `p` in full at `price` realizes at borrow index `index`: its PnL less its borrow fee.
    function _closeValue(IMarginEngineTypes.Position memory p, uint256 price, uint256 index)
        internal
        pure
        returns (int256)
    {
        (int256 pnl,,) = AccountMath.applyTrade(p.size, p.entryPrice, -p.size, price);
        return pnl - int256(AccountMath.borrowFee(p.size, p.entryPrice, p.entryIndex, index));
    }

    function _assertPosition(int256 size, uint256 entry, uint256 index, string memory what) internal view {
        IMarginEngineTypes.Position memory p = _position(TRADER);
        assertEq(int256(p.size), size, string.concat(what, ": size"));
        assertEq(uint256(p.entryPrice), entry, string.concat(what, ": entry price"));
        assertEq(p.entryIndex, index, string.concat(what, ": entry index"));
    }

    /// @notice WBTC at 1,000,000 USD packs (below 2^80 wei); an increase at 2,000,000 averages the entry to 1,500,000,
    /// beyond one word: the position is stored whole, exactly. A reduce keeps that entry; the full close realizes the
    /// PnL and borrow fee of the figures read back, clears the word, and a new position packs again.
    function test_modifyPosition__entryPriceBeyondOneWord__storedWholeAndReadBackExactly() public {
        _move(address(wbtc), 1_000_000e18);
        (, uint256 index) = _trade(1e16);
        _assertPosition(1e16, 1_000_000e18, index, "opened at 1,000,000");
        assertTrue(_word(TRADER, WBTC_MARKET) != PositionPacking.WIDE && _word(TRADER, WBTC_MARKET) != 0, "packed");

        _move(address(wbtc), 2_000_000e18);
        (, index) = _trade(1e16);
        _assertPosition(2e16, 1_500_000e18, index, "averaged to 1,500,000");
        assertEq(_word(TRADER, WBTC_MARKET), PositionPacking.WIDE, "stored whole");

        _move(address(wbtc), 2_400_000e18);
        IMarginEngineTypes.Position memory before = _position(TRADER);
        int256 realized;
        (realized, index) = _trade(-1e16);
        // Half closed at 2,400,000: 0.01 x 900,000 of PnL, less the whole position's borrow fee since its entry.
        uint256 fee = AccountMath.borrowFee(before.size, before.entryPrice, before.entryIndex, index);
        assertTrue(fee != 0, "a borrow fee is owed");
        assertEq(realized, 9_000e18 - int256(fee), "the reduce's PnL and fee from the whole figures");
        _assertPosition(1e16, 1_500_000e18, index, "the reduce keeps the entry");
        assertEq(_word(TRADER, WBTC_MARKET), PositionPacking.WIDE, "still whole");

        _move(address(wbtc), 2_600_000e18);
        before = _position(TRADER);
        (realized, index) = _trade(-1e16);
        assertEq(realized, _closeValue(before, 2_600_000e18, index), "the close's PnL and fee");
        _assertPosition(0, 0, 0, "closed");
        assertEq(_word(TRADER, WBTC_MARKET), 0, "a closed position leaves a zero word");
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(markets & uint16(1 << WBTC_MARKET), 0, "the market leaves the account's mask");

        _move(address(wbtc), 1_000_000e18);
        (, index) = _trade(-1e16);
        _assertPosition(-1e16, 1_000_000e18, index, "a new short at 1,000,000");
        assertTrue(_word(TRADER, WBTC_MARKET) != PositionPacking.WIDE, "packed again");
    }

    /// @notice A borrow index more than 2^64 - 1 above 1e18 (about 19.4 times its start: years at the highest rate the
    /// Pool's bounds allow) does not fit the word either: a position opened then is stored whole, and its borrow fee
    /// since that index is charged exactly.
    function test_modifyPosition__borrowIndexBeyondOneWord__storedWholeAndFeeExact() public {
        _setBorrowIndex(25e18);
        (, uint256 entryIndex) = _trade(2e16);
        assertTrue(entryIndex >= 25e18, "the index as set, or grown since");
        _assertPosition(2e16, 60_000e18, entryIndex, "opened at index 25");
        assertEq(_word(TRADER, WBTC_MARKET), PositionPacking.WIDE, "stored whole");

        vm.warp(vm.getBlockTimestamp() + 30 days);
        _settlePrices();
        _nextBlock();
        IMarginEngineTypes.Position memory before = _position(TRADER);
        (int256 realized, uint256 index) = _trade(-2e16);
        assertTrue(index > entryIndex, "the index grew");
        uint256 fee = AccountMath.borrowFee(before.size, before.entryPrice, before.entryIndex, index);
        assertTrue(fee != 0, "a borrow fee is owed");
        assertEq(realized, -int256(fee), "the close realizes exactly the fee since the whole entry index");
        _assertPosition(0, 0, 0, "closed");
        assertEq(_word(TRADER, WBTC_MARKET), 0, "zero word");
    }

    /// @notice A position stored whole is liquidated like any other: the Liquidator closes part of it, and what is
    /// left keeps its entry with its borrow fee settled at the liquidation.
    function test_liquidate__positionStoredWhole__closesAsAnyOther() public {
        _withdrawAllBut(20_000e6);
        _move(address(wbtc), 2_000_000e18);
        _trade(4e16); // 80,000 USD of WBTC on 20,000 USDC
        assertEq(_word(TRADER, WBTC_MARKET), PositionPacking.WIDE, "stored whole");
        _move(address(wbtc), 1_560_000e18);
        assertTrue(engine.health(TRADER).liquidatable, "liquidatable");
        assertTrue(engine.health(TRADER).maintenanceEquity > 0, "solvent: a partial close");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        IMarginEngineTypes.Position memory p = _position(TRADER);
        assertTrue(p.size > 0 && p.size < 4e16, "partly closed");
        assertEq(uint256(p.entryPrice), 2_000_000e18, "the rest keeps its entry");
        assertEq(p.entryIndex, pool.borrowIndex(), "its borrow fee settled at the liquidation");
        assertEq(_word(TRADER, WBTC_MARKET), PositionPacking.WIDE, "still whole");
    }

    function _withdrawAllBut(uint256 keep) internal {
        (uint256 credit,,) = engine.cash(TRADER);
        _withdraw(TRADER, usdc, credit - keep);
        _nextBlock();
    }
}
