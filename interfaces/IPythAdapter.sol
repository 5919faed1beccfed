// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IPythPriceFeeds} from "./IPythPriceFeeds.sol";

/// @title IPythAdapter
/// @notice An OracleAggregator source that reads one Pyth price feed (a pull oracle: someone must post a signed
/// update before the price is fresh) and reports it in 18 decimals.
/// @dev Whoever needs a fresh price (a keeper before `OracleAggregator.update`, a trader before acting) calls
/// `updatePrice` with the signed update and pays Pyth's fee; any excess `msg.value` is refunded to the caller in the
/// same call. `latestRoundData` reads the latest stored price however old (`getPriceUnsafe(priceId)`) and reports it
/// stamped with its publish time (`updatedAt`, also the round id): the aggregator judges its age (the source's
/// heartbeat) and bounds, and its permissionless wind-down can use a stale price. It reverts only for a price that
/// means nothing: never published (publish time 0), non-positive, a confidence interval wider than `maxConfBps` of the
/// price, or an exponent it cannot scale.
interface IPythAdapter is AggregatorV3Interface {
    /// @notice The Pyth contract is the zero address.
    error ZeroPyth();
    /// @notice A confidence bound of zero or above 100 %.
    error InvalidMaxConfBps(uint16 maxConfBps);
    /// @notice `value` wei were sent; the update costs `fee`.
    error InsufficientUpdateFee(uint256 value, uint256 fee);
    /// @notice Refunding `amount` wei to `to` failed.
    error RefundFailed(address to, uint256 amount);
    /// @notice Pyth's stored price has publish time 0 (never published).
    error UnpublishedPrice();
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

    /// @notice Widest confidence interval accepted, in basis points of the price.
    function maxConfBps() external view returns (uint16);
}
