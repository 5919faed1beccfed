// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {AdapterOracleBase} from "./AdapterOracleBase.sol";

/// @notice A source whose `latestRoundData` reverts with `size` bytes of revert data (what an adapter bubbles up from
/// a third-party wrapper or pool it calls through a high-level call), 18 decimals otherwise.
contract RevertDataSource {
    error Bomb(bytes data);

    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        revert Bomb(new bytes(size));
    }
}

/// @title RevertDataCostTest
/// @notice The aggregator copies a reverting source's whole returndata into memory (`bytes memory ret`),
/// so revert data of a source's own 100,000 gas costs the caller of `update` more than the source itself, growing
/// quadratically over the sources of one asset; the source gas limit bounds it (a larger revert runs out of gas).
contract RevertDataCostTest is AdapterOracleBase {
    function _updateGas(uint256 size) internal returns (uint256) {
        AggregatorV3Interface[] memory feeds = new AggregatorV3Interface[](8);
        for (uint256 i = 0; i < 8; ++i) {
            feeds[i] = AggregatorV3Interface(address(new RevertDataSource(size)));
        }
        address asset = address(uint160(0xB0B0 + size));
        _list(asset, _config(feeds, 1));
        oracle.update(asset);
        return vm.lastCallGas().gasTotalUsed;
    }

    function test_RevertDataOfEightSourcesCostsUpdateBoundedGas() public {
        _deployOracle();
        uint256 small = _updateGas(32);
        uint256 large = _updateGas(150_000);
        emit log_named_uint("update gas, 8 sources reverting with 32 bytes", small);
        emit log_named_uint("update gas, 8 sources reverting with 150 KB", large);
        assertGt(large, small + 500_000, "the caller pays for the returndata it copies");
        assertLt(large, 2_000_000, "bounded by the sources' gas limit: a cost, no freeze");
    }
}
