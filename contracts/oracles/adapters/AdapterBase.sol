// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";

/// @title AdapterBase
/// @notice What every oracle source adapter shares: an AggregatorV3Interface reporting 18 decimals, its description,
/// version 1, and the latest round as `_latest` computes it. An adapter of a source that keeps no round history
/// answers any round id with the latest round; one that does (ChainlinkAdapter) overrides `getRoundData`.
abstract contract AdapterBase is AggregatorV3Interface {
    uint8 internal constant WAD_DECIMALS = 18;

    string private _description;

    constructor(string memory description_) {
        _description = description_;
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return WAD_DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return _description;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev The latest round, whatever the id: the source keeps no history.
    function getRoundData(uint80) external view virtual returns (uint80, int256, uint256, uint256, uint80) {
        return _latest();
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return _latest();
    }

    /// @dev The latest round: round id, the answer in 18 decimals, started and updated stamps, answered-in round.
    function _latest() internal view virtual returns (uint80, int256, uint256, uint256, uint80);
}
