// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IRateProvider} from "../../interfaces/IRateProvider.sol";

/// @title MockRateProvider
/// @notice A rate provider whose rate anyone can set: tests and test networks only.
contract MockRateProvider is IRateProvider {
    uint256 public rate;

    event RateSet(uint256 rate);

    constructor(uint256 rate_) {
        rate = rate_;
        emit RateSet(rate_);
    }

    function setRate(uint256 rate_) external {
        rate = rate_;
        emit RateSet(rate_);
    }

    /// @inheritdoc IRateProvider
    function getRate() external view returns (uint256) {
        return rate;
    }
}
