// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";

/// @title MutationKillsLivenessOracleTest
/// @notice The oracle's liveness paths (freeze expiry, wind-down) pinned one behaviour per test, for the mutation
/// campaign's MIA and LOR mutants of contracts/OracleAggregator.sol that the rest of the suite let live
/// (security/mutation/README.md). They run in `make test` like every forge test.
contract MutationKillsLivenessOracleTest is OracleFixture {
    address internal constant ASSET = address(0xA55E7);

    function setUp() public {
        _deployOracle();
    }

    /// @notice A source answering a positive price below one wei of USD (a 20-decimal feed answering 1, outside its
    /// bounds) still reports: the wind-down cap counts it as the smallest price, 1 wei, not as zero, and the
    /// permissionless proposal is at that price.
    /// Kills OracleAggregator.sol `_windDownCap`: `normalized == 0` -> false (the answer would count as a zero price).
    function test_windDownCap__answerBelowOneWei__countsAsOneWei() public {
        MockFeed feed = _newFeed(20, 2_000e18);
        _list(ASSET, _config(_one(feed), 1));
        oracle.update(ASSET);
        feed.setAnswer(1);
        (uint256 cap, bool reported) = oracle.windDownCap(ASSET);
        assertTrue(reported, "a positive answer reports");
        assertEq(cap, 1, "below one wei counts as one wei");

        vm.warp(T0 + MAX_PRICE_AGE + 1 days);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Stale), "Stale");
        oracle.proposeWindDown(ASSET);
        assertEq(uint256(oracle.windDownProposal(ASSET).price), 1, "proposed at one wei");
    }
}
