// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IPythAdapter} from "../../../interfaces/IPythAdapter.sol";
import {IPythPriceFeeds} from "../../../interfaces/IPythPriceFeeds.sol";
import {AdapterBase} from "./AdapterBase.sol";

/// @title PythAdapter
/// @notice One Pyth price feed as an 18-decimal OracleAggregator source; see IPythAdapter.
/// @dev Holds no ether between calls: `updatePrice` forwards exactly the fee and refunds the rest.
contract PythAdapter is IPythAdapter, AdapterBase {
    uint16 private constant BPS = 10_000;
    /// @dev Exponents scaled by at most 10^59 either way: an int64 price times 10^(18 + 39) stays below 2^255, and
    /// below -37 every int64 price scales to zero anyway.
    int32 private constant MIN_EXPO = -77;
    int32 private constant MAX_EXPO = 39;

    /// @inheritdoc IPythAdapter
    IPythPriceFeeds public immutable pyth;
    /// @inheritdoc IPythAdapter
    bytes32 public immutable priceId;
    /// @inheritdoc IPythAdapter
    uint16 public immutable maxConfBps;

    constructor(IPythPriceFeeds pyth_, bytes32 priceId_, uint16 maxConfBps_, string memory description_)
        AdapterBase(description_)
    {
        if (address(pyth_) == address(0)) revert ZeroPyth();
        if (maxConfBps_ == 0 || maxConfBps_ > BPS) revert InvalidMaxConfBps(maxConfBps_);
        pyth = pyth_;
        priceId = priceId_;
        maxConfBps = maxConfBps_;
    }

    /// @inheritdoc IPythAdapter
    function updatePrice(bytes[] calldata updateData) external payable {
        uint256 fee = pyth.getUpdateFee(updateData);
        if (msg.value < fee) revert InsufficientUpdateFee(msg.value, fee);
        uint256 refund = msg.value - fee;
        emit PriceUpdatePaid(msg.sender, fee, refund);
        pyth.updatePriceFeeds{value: fee}(updateData);
        if (refund > 0) {
            (bool ok,) = payable(msg.sender).call{value: refund}("");
            if (!ok) revert RefundFailed(msg.sender, refund);
        }
    }

    function _latest()
        internal
        view
        override
        returns (uint80 round, int256 answer, uint256 startedAt, uint256, uint80)
    {
        IPythPriceFeeds.Price memory p = pyth.getPriceUnsafe(priceId);
        if (p.publishTime == 0) revert UnpublishedPrice();
        if (p.price <= 0) revert NonPositivePrice(p.price, p.expo);
        // conf / price > maxConfBps / BPS, in integers (both below 2^64: no overflow).
        if (uint256(p.conf) * BPS > uint256(uint64(p.price)) * maxConfBps) {
            revert ConfidenceTooWide(p.price, p.conf, maxConfBps);
        }
        if (p.expo < MIN_EXPO || p.expo > MAX_EXPO) revert UnsupportedExponent(p.price, p.expo);
        int32 shift = p.expo + int32(uint32(WAD_DECIMALS));
        answer =
            shift >= 0 ? int256(p.price) * int256(10 ** uint32(shift)) : int256(p.price) / int256(10 ** uint32(-shift));
        if (answer == 0) revert UnsupportedExponent(p.price, p.expo);
        round = uint80(p.publishTime);
        return (round, answer, p.publishTime, p.publishTime, round);
    }
}
