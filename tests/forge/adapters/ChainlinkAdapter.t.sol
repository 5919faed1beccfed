// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IChainlinkAdapter} from "../../../interfaces/IChainlinkAdapter.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {ChainlinkAdapter} from "../../../contracts/oracles/adapters/ChainlinkAdapter.sol";
import {AdapterOracleBase} from "./AdapterOracleBase.sol";

/// @title ChainlinkAdapterTest
/// @notice The adapter against Chainlink's own MockV3Aggregator (from @chainlink/contracts): scaling to 18 decimals,
/// each rejection with its values, and the adapter listed as an OracleAggregator source.
contract ChainlinkAdapterTest is AdapterOracleBase {
    MockV3Aggregator internal agg8;
    ChainlinkAdapter internal adapter;

    function setUp() public {
        _deployOracle();
        agg8 = _mockAggregator(8, 2_000e8);
        adapter = new ChainlinkAdapter(AggregatorV3Interface(address(agg8)), "ETH / USD");
    }

    function test_ScalesTo18Decimals() public view {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = adapter.latestRoundData();
        assertEq(answer, int256(2_000e18), "answer");
        assertEq(uint256(roundId), 1, "round");
        assertEq(uint256(answeredInRound), 1, "answered in round");
        assertEq(updatedAt, T0, "updatedAt");
        assertEq(uint256(adapter.decimals()), 18, "decimals");
        assertEq(uint256(adapter.feedDecimals()), 8, "feed decimals");
    }

    function testFuzz_ScalesAnyDecimals(uint8 decimals, uint256 raw) public {
        decimals = uint8(bound(decimals, 0, 36));
        raw = bound(raw, 1, 1e40);
        MockV3Aggregator agg = _mockAggregator(decimals, int256(raw));
        ChainlinkAdapter a = new ChainlinkAdapter(AggregatorV3Interface(address(agg)), "x");
        uint256 expected = decimals <= 18 ? raw * 10 ** (18 - decimals) : raw / 10 ** (decimals - 18);
        if (expected == 0) {
            vm.expectRevert(
                abi.encodeWithSelector(IChainlinkAdapter.AnswerRoundsToZero.selector, int256(raw), decimals)
            );
            a.latestRoundData();
            return;
        }
        (, int256 answer,,,) = a.latestRoundData();
        assertEq(uint256(answer), expected, "scaled answer");
    }

    /// @notice However old, the answer is reported with its own stamp: the age is the aggregator's to judge.
    function test_ReportsStaleAnswerWithItsStamp() public {
        vm.warp(T0 + 30 days);
        (, int256 answer,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(answer, int256(2_000e18), "the last answer");
        assertEq(updatedAt, T0, "stamped when it was true");
    }

    function test_RevertsOnNonPositiveAnswer() public {
        agg8.updateAnswer(0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkAdapter.NonPositiveAnswer.selector, uint80(2), int256(0)));
        adapter.latestRoundData();
        agg8.updateAnswer(-5);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkAdapter.NonPositiveAnswer.selector, uint80(3), int256(-5)));
        adapter.latestRoundData();
    }

    function test_RevertsOnUnansweredRound() public {
        agg8.updateRoundData(7, 2_000e8, 0, T0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkAdapter.UnansweredRound.selector, uint80(7)));
        adapter.latestRoundData();
    }

    /// @notice `answeredInRound` is passed through (vestigial under OCR): the answer is reported.
    function test_PassesCarriedOverRoundThrough() public {
        vm.mockCall(
            address(agg8),
            abi.encodeCall(AggregatorV3Interface.latestRoundData, ()),
            abi.encode(uint80(9), int256(2_000e8), T0, T0, uint80(8))
        );
        (uint80 roundId, int256 answer,,, uint80 answeredInRound) = adapter.latestRoundData();
        assertEq(answer, int256(2_000e18), "answer");
        assertEq((uint256(roundId) << 80) | answeredInRound, (uint256(9) << 80) | 8, "round ids as the feed's");
    }

    /// @notice A future stamp is reported as it is; the aggregator excludes it (`FutureTimestamp`).
    function test_FutureStampExcludedByAggregator() public {
        _list(ASSET, _config(_one(adapter), 1));
        agg8.updateRoundData(2, 2_000e8, T0 + 10, T0 + 10);
        (,,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(updatedAt, T0 + 10, "reported with its stamp");
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(
            ASSET, address(adapter), IOracleAggregator.Exclusion.FutureTimestamp, 2_000e18, T0 + 10
        );
        oracle.update(ASSET);
    }

    function test_GetRoundDataOfPastRound() public {
        agg8.updateAnswer(2_100e8);
        vm.warp(T0 + 10 days);
        (, int256 answer,,,) = adapter.getRoundData(1);
        assertEq(answer, int256(2_000e18), "round 1");
        vm.expectRevert(abi.encodeWithSelector(IChainlinkAdapter.UnansweredRound.selector, uint80(5)));
        adapter.getRoundData(5);
    }

    function test_ConstructorRejects() public {
        vm.expectRevert(IChainlinkAdapter.ZeroFeed.selector);
        new ChainlinkAdapter(AggregatorV3Interface(address(0)), "x");
        MockV3Aggregator wide = _mockAggregator(37, 1);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkAdapter.UnsupportedDecimals.selector, uint8(37)));
        new ChainlinkAdapter(AggregatorV3Interface(address(wide)), "x");
    }

    /// @notice Listed on the aggregator beside a second feed: a rejected answer is excluded, not fatal.
    function test_AsAggregatorSource() public {
        MockV3Aggregator agg18 = _mockAggregator(18, 2_010e18);
        ChainlinkAdapter second = new ChainlinkAdapter(AggregatorV3Interface(address(agg18)), "ETH / USD 2");
        _list(ASSET, _config(_two(adapter, second), 1));
        vm.warp(T0 + 60);
        IOracleAggregator.PriceData memory d = oracle.update(ASSET);
        assertEq(d.median, 2_005e18, "median of both");
        agg8.updateAnswer(-1);
        vm.warp(T0 + 120);
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, address(adapter), IOracleAggregator.Exclusion.Reverted, 0, 0);
        d = oracle.update(ASSET);
        assertEq(d.median, 2_010e18, "the other source alone");
    }

    /// @notice The read path's gas, within the aggregator's per-source budget. Printed with -vv.
    function test_ReadGas() public {
        adapter.latestRoundData();
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("ChainlinkAdapter.latestRoundData gas (cold)", used);
        assertLt(used, oracle.SOURCE_GAS_LIMIT(), "within the aggregator's source gas limit");
    }
}
