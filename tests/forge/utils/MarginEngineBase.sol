// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title MarginEngineBase
/// @notice The bench core with a seeded Pool, and helpers to count events, move one asset's price and read an
/// account's credit. Prices that differ between median and TWAP come from one oracle update after a feed move
/// (3 %: still Ok; 10 %: Deviated).
abstract contract MarginEngineBase is EngineFixture {
    bytes32 internal constant CASH_CHANGED = keccak256("CashChanged(address,int256,uint256,uint256,bytes32)");

    bytes32 internal constant POSITION_MODIFIED =
        keccak256("PositionModified(address,uint256,int256,int256,uint256,int256,uint256)");

    bytes32 internal constant TRANSFER = keccak256("Transfer(address,address,uint256)");

    bytes32 internal constant REPAID = keccak256("Repaid(address,uint256,uint256)");

    bytes32 internal constant PROFIT_PAID = keccak256("ProfitPaid(address,uint256)");

    function setUp() public virtual {
        _deploySeededBenchCore();
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

    function _openWbtc(int256 size) internal {
        _deposit(TRADER, wbtc, 2e8);
        _nextBlock();
        _open(TRADER, 1, size);
        _nextBlock();
    }

    /// @dev Token transfers from `from` to `to` among `logs`.
    function _transfers(Vm.Log[] memory logs, address from, address to) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].topics.length == 3 && logs[i].topics[0] == TRANSFER
                    && logs[i].topics[1] == bytes32(uint256(uint160(from)))
                    && logs[i].topics[2] == bytes32(uint256(uint160(to)))
            ) ++n;
        }
    }

    uint8 internal constant OK = 0;

    uint8 internal constant DEVIATED = 1;

    uint8 internal constant STALE = 2;

    uint8 internal constant ADD_RISK = 0;

    uint8 internal constant REDUCE = 1;

    uint8 internal constant LIQUIDATE = 2;

    uint8 internal constant VALUE = 3;

    /// @dev One oracle update after a feed move: the median moves at once, the TWAP lags.
    function _jump(address asset, uint256 wad) internal returns (uint256 low, uint256 high, uint8 status) {
        _nextBlock();
        _setFeed(asset, wad);
        oracle.update(asset);
        _nextBlock();
        (uint256 median, uint256 twap, uint8 s,) = _priceData(asset);
        assertTrue(median != twap, "median and twap differ");
        (low, high, status) = median < twap ? (median, twap, s) : (twap, median, s);
    }

    function _priceUnavailable(address asset, uint8 action, uint8 status) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", asset, action, status);
    }
}
