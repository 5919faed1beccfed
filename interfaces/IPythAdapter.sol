// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IPythPriceFeeds} from "./IPythPriceFeeds.sol";

/// @title IPythAdapter
/// @notice An OracleAggregator source that reads one Pyth price feed (a pull oracle: someone must post a signed
/// update before the price is fresh) and reports it in 18 decimals.
/// @dev Whoever needs a fresh price (a keeper before `OracleAggregator.update`, a trader before acting) calls
/// `updatePrice` with the signed update and pays Pyth's fee; any excess `msg.value` is refunded to the caller in the
/// same call. `latestRoundData` reads `getPriceNoOlderThan(priceId, maxAge)` (Pyth reverts when older) and refuses a
/// non-positive price or a confidence interval wider than `maxConfBps` of the price. The round id is the publish time.
interface IPythAdapter is AggregatorV3Interface {
    /// @notice The Pyth contract is the zero address, or the maximum age is zero.
    error InvalidPythConfig(address pyth, uint32 maxAge);
    /// @notice A confidence bound of zero or above 100 %.
    error InvalidMaxConfBps(uint16 maxConfBps);
    /// @notice `value` wei were sent; the update costs `fee`.
    error InsufficientUpdateFee(uint256 value, uint256 fee);
    /// @notice Refunding `amount` wei to `to` failed.
    error RefundFailed(address to, uint256 amount);
    /// @notice Pyth reports a zero or negative price.
    error NonPositivePrice(int64 price, int32 expo);
    /// @notice The confidence interval `conf` is wider than `maxConfBps` of `price`.
    error ConfidenceTooWide(int64 price, uint64 conf, uint16 maxConfBps);
    /// @notice An exponent whose 18-decimal scaling this adapter does not support (outside [-77, 39]), or that scales
    /// the price to zero.
    error UnsupportedExponent(int64 price, int32 expo);

    /// @notice `payer` paid `fee` wei for a Pyth update and was refunded `refund` wei.
    event PriceUpdatePaid(address indexed payer, uint256 fee, uint256 refund);

    /// @notice Post the signed Pyth update `updateData`, paying Pyth's fee from `msg.value`; the rest is refunded.
    function updatePrice(bytes[] calldata updateData) external payable;

    /// @notice The Pyth contract.
    function pyth() external view returns (IPythPriceFeeds);

    /// @notice The Pyth feed id read.
    function priceId() external view returns (bytes32);

    /// @notice Oldest price accepted, in seconds.
    function maxAge() external view returns (uint32);

    /// @notice Widest confidence interval accepted, in basis points of the price.
    function maxConfBps() external view returns (uint16);
}
