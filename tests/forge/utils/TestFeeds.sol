// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";

/// @title GasBurnerFeed
/// @notice A well-behaved feed whose `latestRoundData` needs `burn` gas (a heavy proxy or aggregator read). Used to
/// starve a source call on purpose. Two ways to fail when given less than `burn`:
/// - `cheapFailure = false`: it spins until it runs out of gas, so the caller keeps only the 1/64 that EIP-150 held
/// back (what a plain contract does);
/// - `cheapFailure = true`: it checks `gasleft()` first and reverts at once, handing almost all the gas back (a
/// feed whose code path depends on the gas it gets, e.g. a wrapper that catches an inner call's failure).
contract GasBurnerFeed is AggregatorV3Interface {
    error NotEnoughGas(uint256 gasLeft, uint256 needed);

    uint8 public constant decimals = 8;
    uint256 public immutable burn;
    bool public immutable cheapFailure;
    int256 public answer;
    uint256 public updatedAt;

    constructor(uint256 burn_, bool cheapFailure_, int256 answer_) {
        (burn, cheapFailure) = (burn_, cheapFailure_);
        (answer, updatedAt) = (answer_, block.timestamp);
    }

    function setAnswer(int256 answer_) external {
        (answer, updatedAt) = (answer_, block.timestamp);
    }

    function description() external pure returns (string memory) {
        return "gas burner";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        _burn();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        _burn();
        return (1, answer, updatedAt, updatedAt, 1);
    }

    function _burn() private view {
        uint256 start = gasleft();
        if (cheapFailure && start < burn) revert NotEnoughGas(start, burn);
        while (start - gasleft() < burn) {}
    }
}

/// @title ProxyFeed
/// @notice Forwards the read to another feed with a plain high-level call, like Chainlink's aggregator proxy: when
/// the inner call runs out of gas the proxy still holds 1/64 of its gas and bubbles the revert up.
contract ProxyFeed is AggregatorV3Interface {
    AggregatorV3Interface public immutable inner;

    constructor(AggregatorV3Interface inner_) {
        inner = inner_;
    }

    function decimals() external view returns (uint8) {
        return inner.decimals();
    }

    function description() external view returns (string memory) {
        return inner.description();
    }

    function version() external view returns (uint256) {
        return inner.version();
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        return inner.getRoundData(roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return inner.latestRoundData();
    }
}
