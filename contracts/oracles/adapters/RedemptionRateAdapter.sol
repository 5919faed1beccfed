// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IRateProvider} from "../../../interfaces/IRateProvider.sol";
import {IRedemptionRateAdapter} from "../../../interfaces/IRedemptionRateAdapter.sol";
import {AdapterBase} from "./AdapterBase.sol";

/// @title RedemptionRateAdapter
/// @notice A wrapped asset priced as its underlying's price times the wrapper's exchange rate, the rate clamped to the
/// growth cap; see IRedemptionRateAdapter.
contract RedemptionRateAdapter is IRedemptionRateAdapter, AdapterBase {
    uint256 private constant WAD = 1e18;
    uint16 private constant BPS = 10_000;
    uint8 private constant MAX_DECIMALS = 36;
    uint256 private constant YEAR = 365 days;
    /// @notice The most time the growth allowance accrues over: the cap is at most this long's growth above the anchor.
    uint256 public constant MAX_ACCRUAL = 7 days;

    /// @inheritdoc IRedemptionRateAdapter
    AggregatorV3Interface public immutable underlyingFeed;
    /// @inheritdoc IRedemptionRateAdapter
    address public immutable wrapper;
    /// @notice How the wrapper reports its rate.
    RateKind public immutable kind;
    /// @notice Largest growth of the rate above the anchor per year, in basis points (linear in time).
    uint16 public immutable maxGrowthBpsPerYear;
    uint8 private immutable _underlyingDecimals;
    /// @dev ERC-4626: one whole share, and the scale of one whole asset.
    uint256 private immutable _oneShare;
    uint256 private immutable _oneAsset;

    uint192 private _anchorRate;
    uint64 private _anchorTime;

    constructor(
        AggregatorV3Interface underlyingFeed_,
        address wrapper_,
        RateKind kind_,
        uint16 maxGrowthBpsPerYear_,
        string memory description_
    ) AdapterBase(description_) {
        if (address(underlyingFeed_) == address(0) || wrapper_ == address(0)) {
            revert InvalidRedemptionConfig(address(underlyingFeed_), wrapper_);
        }
        uint8 d = underlyingFeed_.decimals();
        if (d > MAX_DECIMALS) revert UnsupportedDecimals(d);
        underlyingFeed = underlyingFeed_;
        wrapper = wrapper_;
        kind = kind_;
        maxGrowthBpsPerYear = maxGrowthBpsPerYear_;
        _underlyingDecimals = d;
        if (kind_ == RateKind.ERC4626) {
            uint8 shareDecimals = IERC20Metadata(wrapper_).decimals();
            uint8 assetDecimals = IERC20Metadata(IERC4626(wrapper_).asset()).decimals();
            if (shareDecimals > MAX_DECIMALS) revert UnsupportedDecimals(shareDecimals);
            if (assetDecimals > MAX_DECIMALS) revert UnsupportedDecimals(assetDecimals);
            _oneShare = 10 ** shareDecimals;
            _oneAsset = 10 ** assetDecimals;
        }
        _setAnchor(_readRate());
    }

    /// @inheritdoc IRedemptionRateAdapter
    function poke() external {
        _setAnchor(_clampedRate());
    }

    /// @inheritdoc IRedemptionRateAdapter
    function rate() external view returns (uint256) {
        return _readRate();
    }

    /// @inheritdoc IRedemptionRateAdapter
    function rateCap() public view returns (uint256) {
        uint256 a = _anchorRate;
        uint256 elapsed = block.timestamp - _anchorTime;
        if (elapsed > MAX_ACCRUAL) elapsed = MAX_ACCRUAL;
        return a + a * maxGrowthBpsPerYear * elapsed / (uint256(BPS) * YEAR);
    }

    /// @inheritdoc IRedemptionRateAdapter
    function anchor() external view returns (uint256, uint256) {
        return (_anchorRate, _anchorTime);
    }

    function _latest()
        internal
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        int256 underlying;
        (roundId, underlying, startedAt, updatedAt, answeredInRound) = underlyingFeed.latestRoundData();
        if (updatedAt == 0) revert UnansweredUnderlying(roundId);
        if (underlying <= 0) revert NonPositiveUnderlying(underlying);
        uint256 r = _clampedRate();
        // underlying (d decimals) x rate (18) in 18 decimals, one division at the end
        uint8 d = _underlyingDecimals;
        uint256 product = uint256(underlying) * r;
        answer = int256(d <= WAD_DECIMALS ? product * 10 ** (WAD_DECIMALS - d) / WAD : product / 10 ** d);
        if (answer == 0) revert AnswerRoundsToZero(underlying, r);
    }

    /// @dev The current rate, at most the cap.
    function _clampedRate() private view returns (uint256 r) {
        r = _readRate();
        uint256 cap = rateCap();
        if (r > cap) r = cap;
    }

    function _readRate() private view returns (uint256 r) {
        if (kind == RateKind.ERC4626) {
            r = IERC4626(wrapper).convertToAssets(_oneShare) * WAD / _oneAsset;
        } else {
            r = IRateProvider(wrapper).getRate();
        }
        if (r == 0) revert ZeroRate();
    }

    function _setAnchor(uint256 r) private {
        if (r > type(uint192).max) revert RateTooLarge(r);
        (_anchorRate, _anchorTime) = (uint192(r), uint64(block.timestamp));
        emit RateAnchored(r, block.timestamp);
    }
}
