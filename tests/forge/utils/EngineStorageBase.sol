// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

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
}
