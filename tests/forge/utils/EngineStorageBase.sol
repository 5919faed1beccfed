// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {AccountMath} from "../../../contracts/libraries/AccountMath.sol";
import {PositionPacking} from "../../../contracts/libraries/PositionPacking.sol";
import {MarginEngineBase} from "./MarginEngineBase.sol";

/// @title EngineStorageBase
/// @notice MarginEngineBase with direct reads of the engine's storage (a position's word, a market's aggregates) and a
/// direct write of the Pool's borrow index, for the tests of how positions are stored. The slots are those of
/// `forge inspect MarginEngine storageLayout` and `forge inspect Pool storageLayout`; a layout change that moves them
/// fails these tests (a position's word then reads zero where the view shows a position).
abstract contract EngineStorageBase is MarginEngineBase {
    uint256 internal constant MARKET_STATES_SLOT = 4;
    uint256 internal constant POSITIONS_SLOT = 7;
    /// @dev The Pool's `_rate`: the borrow index in its low 176 bits.
    uint256 internal constant POOL_RATE_SLOT = 9;

    /// @dev The storage word of `account`'s position in `market` (`PositionPacking`).
    function _word(address account, uint256 market) internal view returns (uint256) {
        bytes32 inner = keccak256(abi.encode(account, POSITIONS_SLOT));
        return uint256(vm.load(address(engine), keccak256(abi.encode(market, inner))));
    }

    function _isWide(address account, uint256 market) internal view returns (bool) {
        return _word(account, market) == PositionPacking.WIDE;
    }

    /// @dev Market `market`'s aggregates as stored (three words).
    function _state(uint256 market) internal view returns (AccountMath.MarketState memory s) {
        uint256 base = uint256(keccak256(abi.encode(MARKET_STATES_SLOT))) + 3 * market;
        uint256 w0 = uint256(vm.load(address(engine), bytes32(base)));
        uint256 w1 = uint256(vm.load(address(engine), bytes32(base + 1)));
        uint256 w2 = uint256(vm.load(address(engine), bytes32(base + 2)));
        (s.longSize, s.shortSize) = (uint128(w0), uint128(w0 >> 128));
        (s.longEntryNotional, s.shortEntryNotional) = (uint128(w1), uint128(w1 >> 128));
        (s.feeBase, s.feeScaled) = (uint128(w2), uint128(w2 >> 128));
    }

    /// @dev Set the Pool's stored borrow index (only while nothing is borrowed, so nothing else moves).
    function _setBorrowIndex(uint256 index) internal {
        assertEq(pool.totalDebt(), 0, "nothing borrowed");
        bytes32 slot = bytes32(POOL_RATE_SLOT);
        uint256 word = uint256(vm.load(address(pool), slot));
        vm.store(address(pool), slot, bytes32((word >> 176) << 176 | index));
    }

    /// @dev The market's aggregates equal the sums of `accounts`' positions as the engine reads them back (the figures
    /// `AccountMath.addToMarket` adds and `removeFromMarket` subtracts).
    function _assertAggregates(uint256 market, address[3] memory accounts, string memory what) internal view {
        AccountMath.MarketState memory e;
        for (uint256 i = 0; i < accounts.length; ++i) {
            IMarginEngineTypes.Position memory p = engine.position(accounts[i], market);
            if (p.size == 0) {
                assertEq(uint256(p.entryPrice) + p.entryIndex, 0, string.concat(what, ": a closed position is empty"));
                continue;
            }
            AccountMath.addToMarket(e, p.size, p.entryPrice, p.entryIndex);
        }
        AccountMath.MarketState memory s = _state(market);
        assertEq(uint256(s.longSize), uint256(e.longSize), string.concat(what, ": long size"));
        assertEq(uint256(s.shortSize), uint256(e.shortSize), string.concat(what, ": short size"));
        assertEq(uint256(s.longEntryNotional), uint256(e.longEntryNotional), string.concat(what, ": long notional"));
        assertEq(uint256(s.shortEntryNotional), uint256(e.shortEntryNotional), string.concat(what, ": short notional"));
        assertEq(uint256(s.feeBase), uint256(e.feeBase), string.concat(what, ": feeBase"));
        assertEq(uint256(s.feeScaled), uint256(e.feeScaled), string.concat(what, ": feeScaled"));
    }

    /// @dev Set market `market`'s open-interest caps.
    function _setCaps(uint256 market, uint128 longCap, uint128 shortCap) internal {
        IMarginEngineTypes.MarketParams memory p = _market(market);
        (p.longOpenInterestCap, p.shortOpenInterestCap) = (longCap, shortCap);
        engine.setMarketParams(market, p);
    }
}
