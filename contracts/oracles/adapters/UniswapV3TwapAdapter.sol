// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IUniswapV3PoolOracle} from "../../../interfaces/IUniswapV3PoolOracle.sol";
import {IUniswapV3TwapAdapter} from "../../../interfaces/IUniswapV3TwapAdapter.sol";
import {TickPrice} from "../../libraries/TickPrice.sol";
import {AdapterBase} from "./AdapterBase.sol";

/// @title UniswapV3TwapAdapter
/// @notice A Uniswap v3 pool's TWAP as an 18-decimal OracleAggregator source; see IUniswapV3TwapAdapter.
contract UniswapV3TwapAdapter is IUniswapV3TwapAdapter, AdapterBase {
    uint8 private constant MAX_DECIMALS = 36;

    /// @inheritdoc IUniswapV3TwapAdapter
    IUniswapV3PoolOracle public immutable pool;
    /// @inheritdoc IUniswapV3TwapAdapter
    address public immutable base;
    /// @inheritdoc IUniswapV3TwapAdapter
    uint32 public immutable window;
    /// @inheritdoc IUniswapV3TwapAdapter
    AggregatorV3Interface public immutable quoteFeed;
    /// @notice Smallest harmonic-mean in-range liquidity accepted over the window.
    uint128 public immutable minLiquidity;
    bool private immutable _baseIsToken0;
    uint8 private immutable _baseDecimals;
    uint8 private immutable _quoteDecimals;
    uint8 private immutable _quoteFeedDecimals;

    constructor(
        IUniswapV3PoolOracle pool_,
        address base_,
        uint32 window_,
        uint128 minLiquidity_,
        AggregatorV3Interface quoteFeed_,
        string memory description_
    ) AdapterBase(description_) {
        if (address(pool_) == address(0) || base_ == address(0) || window_ == 0) {
            revert InvalidTwapConfig(address(pool_), base_, window_);
        }
        address t0 = pool_.token0();
        address t1 = pool_.token1();
        if (base_ != t0 && base_ != t1) revert InvalidTwapConfig(address(pool_), base_, window_);
        _baseIsToken0 = base_ == t0;
        _baseDecimals = _decimalsOf(base_);
        _quoteDecimals = _decimalsOf(base_ == t0 ? t1 : t0);
        if (address(quoteFeed_) != address(0)) {
            uint8 d = quoteFeed_.decimals();
            if (d > MAX_DECIMALS) revert UnsupportedDecimals(d);
            _quoteFeedDecimals = d;
        }
        pool = pool_;
        base = base_;
        window = window_;
        minLiquidity = minLiquidity_;
        quoteFeed = quoteFeed_;
    }

    /// @inheritdoc IUniswapV3TwapAdapter
    function twapTick() external view returns (int24 tick) {
        (tick,) = _observe();
    }

    /// @inheritdoc IUniswapV3TwapAdapter
    function meanLiquidity() external view returns (uint256 liquidity) {
        (, liquidity) = _observe();
    }

    function _latest()
        internal
        view
        override
        returns (uint80 round, int256 answer, uint256 startedAt, uint256 updatedAt, uint80)
    {
        (int24 tick, uint256 liquidity) = _observe();
        if (liquidity < minLiquidity) revert LiquidityTooLow(liquidity, minLiquidity);
        uint256 price = TickPrice.priceAtTick(tick, _baseIsToken0, _baseDecimals, _quoteDecimals);
        startedAt = block.timestamp - window;
        updatedAt = _lastObservationTime();
        if (address(quoteFeed) != address(0)) {
            // The answer is as old as its older input.
            (uint256 quote, uint256 quoteStartedAt, uint256 quoteUpdatedAt) = _quotePrice();
            price = price * quote / 1e18;
            if (quoteStartedAt < startedAt) startedAt = quoteStartedAt;
            if (quoteUpdatedAt < updatedAt) updatedAt = quoteUpdatedAt;
        }
        if (price == 0) revert ZeroPrice(tick);
        round = uint80(block.timestamp);
        return (round, int256(price), startedAt, updatedAt, round);
    }

    /// @dev The mean tick (rounded toward negative infinity) and the harmonic-mean liquidity over the window.
    function _observe() private view returns (int24 tick, uint256 liquidity) {
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = window;
        (int56[] memory ticks, uint160[] memory perLiquidity) = pool.observe(secondsAgos);
        // Both accumulators wrap by design (Uniswap's oracle): their differences are taken modulo their width.
        int56 delta;
        uint160 spl;
        unchecked {
            delta = ticks[1] - ticks[0];
            spl = perLiquidity[1] - perLiquidity[0];
        }
        int56 w = int56(uint56(window));
        int56 mean = delta / w;
        if (delta < 0 && delta % w != 0) --mean;
        tick = int24(mean);
        // seconds per unit of liquidity accumulated over the window, Q128: window / that = harmonic-mean liquidity.
        liquidity = spl == 0 ? type(uint256).max : (uint256(window) << 128) / spl;
    }

    /// @dev When the pool wrote its newest observation (the pool stores it modulo 2^32, as its own oracle does).
    function _lastObservationTime() private view returns (uint256) {
        (,, uint16 index,,,,) = pool.slot0();
        (uint32 observedAt,,,) = pool.observations(index);
        return observedAt;
    }

    /// @dev The quote feed's answer in 18 decimals, with its round's start and update times, after checking that the
    /// round was answered, the answer is positive and not stamped in the future. Its age is the aggregator's to judge:
    /// the answer carries the older of the two stamps, so a stale quote makes the source Stale, not silent.
    function _quotePrice() private view returns (uint256 price, uint256 startedAt, uint256 updatedAt) {
        uint80 roundId;
        int256 answer;
        (roundId, answer, startedAt, updatedAt,) = quoteFeed.latestRoundData();
        if (updatedAt == 0) revert UnansweredQuote(roundId);
        if (answer <= 0) revert NonPositiveQuote(answer);
        // A future stamp would hide behind the pool's older one: a broken quote feed.
        if (updatedAt > block.timestamp) revert FutureQuote(updatedAt, block.timestamp);
        uint8 d = _quoteFeedDecimals;
        price =
            d <= WAD_DECIMALS ? uint256(answer) * 10 ** (WAD_DECIMALS - d) : uint256(answer) / 10 ** (d - WAD_DECIMALS);
    }

    function _decimalsOf(address token) private view returns (uint8 d) {
        d = IERC20Metadata(token).decimals();
        if (d > MAX_DECIMALS) revert UnsupportedDecimals(d);
    }
}
