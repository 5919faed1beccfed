// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/// @title PriceRange
/// @notice An asset's price range {median, TWAP} (`low` <= `high`) and the conversions between USD and token units
/// that round for the protocol: the protocol pays at the higher price (fewer units) and is paid at the lower one (more
/// units); a token amount is worth its lower price when the protocol receives it and its higher price when it owes it.
library PriceRange {
    using FixedPointMath for uint256;

    struct Range {
        uint256 low;
        uint256 high;
    }

    /// @notice The range of an oracle reading, whatever its status.
    function fromData(IOracleAggregator.PriceData memory d) internal pure returns (Range memory r) {
        (r.low, r.high) = ordered(d.median, d.twap);
    }

    /// @notice The lower and the higher of a median and a TWAP.
    function ordered(uint256 median, uint256 twap) internal pure returns (uint256 low, uint256 high) {
        return median < twap ? (median, twap) : (twap, median);
    }

    /// @notice Units the protocol pays for `usd`: down, at the higher price.
    function unitsDown(Range memory r, uint256 usd, uint8 decimals) internal pure returns (uint256) {
        return usd.toAmountDown(r.high, decimals);
    }

    /// @notice Units the protocol is owed for `usd`: up, at the lower price.
    function unitsUp(Range memory r, uint256 usd, uint8 decimals) internal pure returns (uint256) {
        return usd.toAmountUp(r.low, decimals);
    }

    /// @notice USD value of `units` the protocol receives: down, at the lower price.
    function usdDown(Range memory r, uint256 units, uint8 decimals) internal pure returns (uint256) {
        return units.toValueDown(r.low, decimals);
    }

    /// @notice USD value of `units` the protocol is owed: up, at the higher price.
    function usdUp(Range memory r, uint256 units, uint8 decimals) internal pure returns (uint256) {
        return units.toValueUp(r.high, decimals);
    }
}
