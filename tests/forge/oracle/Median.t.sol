// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";

/// @title OracleMedianMultiSourceTest
/// @notice MedianLib: the sort and the median `update` stores (fixture: MultiSourceOracleBase).
contract OracleMedianMultiSourceTest is MultiSourceOracleBase {
    /// @notice MedianLib sorts like a selection sort and takes the same median (mean of the middle two, rounded down).
    function testFuzz_medianOfSorted__anyValues__matchesAReferenceSort(uint256[8] memory values, uint256 nSeed)
        public
        pure
    {
        uint256 n = bound(nSeed, 1, 8);
        for (uint256 i = 0; i < 8; ++i) {
            values[i] = bound(values[i], 0, type(uint96).max);
        }
        uint256[] memory expected = _selectionSort(values, n);
        uint256[8] memory sorted = values;
        MedianLib.sortAscending(sorted, n);
        for (uint256 i = 0; i < n; ++i) {
            assertEq(sorted[i], expected[i], "sortAscending differs from the reference sort");
        }
        assertEq(MedianLib.medianOfSorted(sorted, n), _medianOfSorted(expected), "median differs from the reference");
    }
}
