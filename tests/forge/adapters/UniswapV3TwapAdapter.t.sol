// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IUniswapV3PoolOracle} from "../../../interfaces/IUniswapV3PoolOracle.sol";
import {IUniswapV3TwapAdapter} from "../../../interfaces/IUniswapV3TwapAdapter.sol";
import {UniswapV3TwapAdapter} from "../../../contracts/oracles/adapters/UniswapV3TwapAdapter.sol";
import {TickPrice} from "../../../contracts/libraries/TickPrice.sol";
import {ITestUniswapV3Pool, UniswapPoolBase} from "./UniswapPoolBase.sol";

/// @title UniswapV3TwapAdapterTest
/// @notice The tick math against a real Uniswap v3 pool's own tick and price, and the adapter's TWAP over a known
/// price path.
contract UniswapV3TwapAdapterTest is UniswapPoolBase {
    uint32 internal constant WINDOW = 1800;
    uint256 internal constant ONE_BP = 1e14; // 0.01 % as a WAD relative tolerance (one tick is 1 bp)

    UniswapV3TwapAdapter internal adapter;

    function setUp() public {
        _deployOracle();
        _deployPool(100);
        adapter = _newAdapter(address(weth), WINDOW, 0, AggregatorV3Interface(address(0)));
    }

    function _newAdapter(address base, uint32 window, uint128 minLiquidity, AggregatorV3Interface quote)
        internal
        returns (UniswapV3TwapAdapter)
    {
        return new UniswapV3TwapAdapter(
            IUniswapV3PoolOracle(address(pool)), base, window, minLiquidity, quote, "WETH / USD (Uniswap TWAP)"
        );
    }

    function _answer(UniswapV3TwapAdapter a) internal view returns (uint256) {
        (, int256 answer,,,) = a.latestRoundData();
        return uint256(answer);
    }

    // ---------------------------------------------------------------- tick math

    function test_RatioAtTickKnownValues() public pure {
        assertEq(TickPrice.ratioAtTick(0), 1e36, "tick 0");
        assertEq(TickPrice.ratioAtTick(1), 1.0001e36, "tick 1");
        assertEq(TickPrice.ratioAtTick(2), 1.00020001e36, "tick 2");
        // 1.0001^t to 100 significant digits (Python's decimal module).
        _assertRelClose(
            TickPrice.ratioAtTick(887_272),
            340256786836388094050805785052946541066751507546701582068884050462948821114,
            1e27,
            "max tick"
        );
        _assertRelClose(TickPrice.ratioAtTick(123_456), 229804163267349845379027662876939521562486, 1e27, "123456");
        _assertRelClose(TickPrice.ratioAtTick(-200_000), 2063215669444018480018325814, 1e27, "-200000");
    }

    function testFuzz_RatioSteps(int24 t) public pure {
        int256 tick = int256(bound(uint256(int256(t) + 887_272), 0, 2 * 887_272 - 1)) - 887_272;
        uint256 r = TickPrice.ratioAtTick(tick);
        uint256 next = TickPrice.ratioAtTick(tick + 1);
        if (r > 1e18) _assertRelClose(next, Math.mulDiv(r, 10_001, 10_000), 1e17, "each tick is a factor 1.0001");
        uint256 inverse = TickPrice.ratioAtTick(-tick);
        if (r > 1e18 && inverse > 1e18) {
            _assertRelClose(Math.mulDiv(r, inverse, 1e36), 1e36, 1e17, "1.0001^t * 1.0001^-t = 1");
        }
    }

    /// @dev |a - b| <= b / `inverseRel` (+1 for rounding), for values too large for BaseTest's relative assertion.
    function _assertRelClose(uint256 a, uint256 b, uint256 inverseRel, string memory message) internal pure {
        uint256 delta = a > b ? a - b : b - a;
        assertLe(delta, b / inverseRel + 1, message);
    }

    function test_RejectsTickOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(TickPrice.TickOutOfRange.selector, int256(887_273)));
        this.ratioAtTickExternal(887_273);
        vm.expectRevert(abi.encodeWithSelector(TickPrice.TickOutOfRange.selector, int256(-887_273)));
        this.ratioAtTickExternal(-887_273);
    }

    function ratioAtTickExternal(int256 tick) external pure returns (uint256) {
        return TickPrice.ratioAtTick(tick);
    }

    /// @notice For any initial price of a fresh pool, the pool's own tick brackets its spot price:
    /// 1.0001^tick <= sqrtPriceX96^2 / 2^192 < 1.0001^(tick + 1), by our math.
    function testFuzz_TickMathBracketsPoolSpot(uint160 sqrtP) public {
        sqrtP = uint160(bound(sqrtP, MIN_SQRT_RATIO, MAX_SQRT_RATIO - 1));
        MockV3Aggregator a = _mockAggregator(8, 1); // a fresh token pair: any contract address will do
        MockV3Aggregator b = _mockAggregator(8, 1);
        ITestUniswapV3Pool p = ITestUniswapV3Pool(factory.createPool(address(a), address(b), FEE));
        p.initialize(sqrtP);
        (, int24 tick,,,,,) = p.slot0();
        // spot in 36 decimals: sqrtP^2 / (2^192 / 1e36), the divisor rounded down (a relative error below 2e-22)
        uint256 spot = Math.mulDiv(sqrtP, sqrtP, uint256(1 << 192) / 1e36);
        uint256 low = TickPrice.ratioAtTick(tick);
        uint256 high = TickPrice.ratioAtTick(int256(tick) + 1);
        // Relative slack of 1e-12 (Uniswap's own sqrt ratios are rounded), and one unit at the tiny end.
        assertLe(low, spot + spot / 1e12 + 1, "1.0001^tick above the spot");
        assertLt(spot, high + high / 1e12 + 1, "spot at or above 1.0001^(tick+1)");
    }

    // ---------------------------------------------------------------- the adapter

    function test_PriceAfterQuietWindow() public {
        vm.warp(T0 + WINDOW);
        assertApproxEqRel(_answer(adapter), START_PRICE * 1e18, ONE_BP, "WETH in USDC");
        UniswapV3TwapAdapter inverse = _newAdapter(address(usdc), WINDOW, 0, AggregatorV3Interface(address(0)));
        assertApproxEqRel(_answer(inverse), 1e18 / START_PRICE, ONE_BP, "USDC in WETH");
        (uint80 round,, uint256 startedAt, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(updatedAt, T0, "the pool's newest observation (its creation)");
        assertEq(startedAt, T0, "startedAt: the window's start");
        assertEq(uint256(round), T0 + WINDOW, "round");
    }

    /// @notice 600 s at 2,000 then 1,200 s at 1,000: the mean tick is the time-weighted mean of the pool's ticks.
    function test_TwapOfKnownPath() public {
        (, int24 tickA,,,,,) = pool.slot0();
        vm.warp(T0 + 600);
        _swapToPrice(1_000e18);
        (, int24 tickB,,,,,) = pool.slot0();
        vm.warp(T0 + 1800);
        int256 sum = int256(tickA) * 600 + int256(tickB) * 1200;
        int256 mean = sum / 1800;
        if (sum < 0 && sum % 1800 != 0) --mean;
        assertEq(int256(adapter.twapTick()), mean, "mean tick");
        uint256 expected = TickPrice.priceAtTick(mean, _wethIsToken0(), 18, 6);
        assertEq(_answer(adapter), expected, "price at the mean tick");
        // geometric mean of the path: 2000^(1/3) * 1000^(2/3) = 1259.92
        assertApproxEqRel(_answer(adapter), 1_259.92e18, 2 * ONE_BP, "geometric mean");
        assertApproxEqRel(_spotUsdcPerWeth(), 1_000e18, ONE_BP, "spot moved");
        (,,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(updatedAt, T0 + 600, "stamped with the swap's observation");
    }

    function test_QuoteFeed() public {
        MockV3Aggregator usdcUsd = _mockAggregator(8, 0.99e8);
        UniswapV3TwapAdapter a = _newAdapter(address(weth), WINDOW, 0, AggregatorV3Interface(address(usdcUsd)));
        vm.warp(T0 + WINDOW);
        usdcUsd.updateAnswer(0.99e8);
        assertApproxEqRel(_answer(a), 1_980e18, ONE_BP, "WETH in USD through USDC/USD");
        vm.warp(T0 + WINDOW + 100);
        (,, uint256 startedAt, uint256 updatedAt,) = a.latestRoundData();
        assertEq(updatedAt, T0, "the pool's observation, older than the quote's round");
        assertEq(startedAt, T0 + 100, "the window's start");
        vm.mockCall(
            address(usdcUsd),
            abi.encodeCall(AggregatorV3Interface.latestRoundData, ()),
            abi.encode(uint80(5), int256(0.99e8), T0 - 10, T0 - 10, uint80(5))
        );
        (,, startedAt, updatedAt,) = a.latestRoundData();
        assertEq(updatedAt, T0 - 10, "as old as the quote's round when it is older");
        assertEq(startedAt, T0 - 10, "the quote round's start");
        vm.clearMockedCalls();
        vm.mockCall(
            address(usdcUsd),
            abi.encodeCall(AggregatorV3Interface.latestRoundData, ()),
            abi.encode(uint80(9), int256(0.99e8), T0, 0, uint80(8))
        );
        vm.expectRevert(abi.encodeWithSelector(IUniswapV3TwapAdapter.UnansweredQuote.selector, uint80(9)));
        a.latestRoundData();
        vm.mockCall(
            address(usdcUsd),
            abi.encodeCall(AggregatorV3Interface.latestRoundData, ()),
            abi.encode(uint80(9), int256(0.99e8), T0, T0 + WINDOW + 101, uint80(9))
        );
        vm.expectRevert(
            abi.encodeWithSelector(IUniswapV3TwapAdapter.FutureQuote.selector, T0 + WINDOW + 101, T0 + WINDOW + 100)
        );
        a.latestRoundData();
        vm.clearMockedCalls();
        // A quote round a day old is still reported, stamped with its time: the aggregator's heartbeat judges it, and
        // the permissionless wind-down still sees the answer.
        vm.warp(T0 + WINDOW + 1 days);
        (, int256 answer,, uint256 stamped,) = a.latestRoundData();
        assertEq(stamped, T0, "as old as the older input (the pool's observation)");
        assertApproxEqRel(uint256(answer), 1_980e18, ONE_BP, "the answer of a day-old quote round");
    }

    function test_MeanLiquidityAndMinimum() public {
        vm.warp(T0 + WINDOW);
        uint256 liquidity = adapter.meanLiquidity();
        assertApproxEqRel(liquidity, LIQUIDITY, 1e9, "harmonic mean of a constant in-range liquidity");
        UniswapV3TwapAdapter strict =
            _newAdapter(address(weth), WINDOW, LIQUIDITY * 2, AggregatorV3Interface(address(0)));
        vm.expectRevert(
            abi.encodeWithSelector(IUniswapV3TwapAdapter.LiquidityTooLow.selector, liquidity, uint256(LIQUIDITY) * 2)
        );
        strict.latestRoundData();
    }

    function test_WindowLongerThanHistoryReverts() public {
        vm.warp(T0 + WINDOW - 1);
        vm.expectRevert(bytes("OLD"));
        adapter.latestRoundData();
    }

    function test_ConstructorRejects() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IUniswapV3TwapAdapter.InvalidTwapConfig.selector, address(pool), address(0xBEEF), WINDOW
            )
        );
        _newAdapter(address(0xBEEF), WINDOW, 0, AggregatorV3Interface(address(0)));
        vm.expectRevert(
            abi.encodeWithSelector(IUniswapV3TwapAdapter.InvalidTwapConfig.selector, address(pool), address(weth), 0)
        );
        _newAdapter(address(weth), 0, 0, AggregatorV3Interface(address(0)));
    }

    /// @notice The read path's gas after 50 swaps in 50 blocks (a filled observation ring: `observe` searches it).
    function test_ReadGas() public {
        for (uint256 i = 1; i <= 50; ++i) {
            vm.warp(T0 + i * 60);
            _swapToPrice(i % 2 == 0 ? 2_000e18 : 1_990e18);
        }
        vm.warp(T0 + 51 * 60);
        vm.cool(address(adapter));
        vm.cool(address(pool));
        adapter.latestRoundData();
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("UniswapV3TwapAdapter.latestRoundData gas (cold, 51 observations)", used);
        assertLt(used, oracle.SOURCE_GAS_LIMIT(), "within the aggregator's source gas limit");
    }
}
