// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IUniswapV3PoolOracle} from "../../../interfaces/IUniswapV3PoolOracle.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {IUniswapV3PoolActionsLike} from "../../../contracts/mocks/MockUniswapV3Trader.sol";
import {AdapterOracleBase} from "./AdapterOracleBase.sol";

/// @notice The Uniswap v3 factory calls a test uses.
interface ITestUniswapV3Factory {
    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address pool);
}

/// @notice The Uniswap v3 pool calls a test uses: the adapter's reads, the trader's actions, and the set-up calls.
interface ITestUniswapV3Pool is IUniswapV3PoolOracle, IUniswapV3PoolActionsLike {
    function initialize(uint160 sqrtPriceX96) external;
    function increaseObservationCardinalityNext(uint16 observationCardinalityNext) external;
    function liquidity() external view returns (uint128);
}

/// @title UniswapPoolBase
/// @notice A real Uniswap v3 pool for the adapter tests: the factory is deployed from @uniswap/v3-core's published
/// artifact (compiled by Uniswap with solc 0.7.6), the pool created through it. WETH (18 decimals) / USDC (6), 0.3 %
/// fee, full-range liquidity, started at `START_PRICE` USDC per WETH. The test pays the pool in its callbacks by
/// minting the tokens.
abstract contract UniswapPoolBase is AdapterOracleBase {
    string internal constant FACTORY_ARTIFACT =
        "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
    uint24 internal constant FEE = 3000;
    int24 internal constant FULL_RANGE = 887_220; // the largest multiple of the 0.3 % tier's spacing (60)
    uint160 internal constant MIN_SQRT_RATIO = 4_295_128_739;
    uint160 internal constant MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342;
    uint256 internal constant START_PRICE = 2_000; // USDC per WETH
    /// @dev About 1,000 WETH and 2,000,000 USDC of full-range depth at the start price.
    uint128 internal constant LIQUIDITY = 44_721_359_549_995_793;

    ITestUniswapV3Factory internal factory;
    ITestUniswapV3Pool internal pool;
    MockERC20 internal weth;
    MockERC20 internal usdc;

    function _deployPool(uint16 cardinality) internal {
        factory = ITestUniswapV3Factory(_deploy(FACTORY_ARTIFACT, ""));
        weth = _mockToken("Wrapped Ether", "WETH", 18);
        usdc = _mockToken("USD Coin", "USDC", 6);
        pool = ITestUniswapV3Pool(factory.createPool(address(weth), address(usdc), FEE));
        pool.initialize(_sqrtPriceForUsdcPerWeth(START_PRICE * 1e18));
        if (cardinality > 1) pool.increaseObservationCardinalityNext(cardinality);
        pool.mint(address(this), -FULL_RANGE, FULL_RANGE, LIQUIDITY, "");
    }

    function _wethIsToken0() internal view returns (bool) {
        return pool.token0() == address(weth);
    }

    /// @notice The pool's sqrtPriceX96 for a price of `wad` USDC per WETH (18 decimals).
    function _sqrtPriceForUsdcPerWeth(uint256 wad) internal view returns (uint160) {
        // raw token1 per raw token0, times 2^192, square-rooted.
        uint256 priceX192 = _wethIsToken0()
            ? Math.mulDiv(wad, 1 << 192, 1e18 * 1e12)  // usdc raw per weth raw = wad * 1e6 / 1e18 / 1e18
            : Math.mulDiv(1e18 * 1e12, 1 << 192, wad); // weth raw per usdc raw
        return uint160(Math.sqrt(priceX192));
    }

    /// @notice The pool's spot price, USDC per WETH, 18 decimals.
    function _spotUsdcPerWeth() internal view returns (uint256) {
        (uint160 sqrtP,,,,,,) = pool.slot0();
        uint256 priceX96 = Math.mulDiv(sqrtP, sqrtP, 1 << 96);
        return _wethIsToken0() ? Math.mulDiv(priceX96, 1e30, 1 << 96) : Math.mulDiv(1 << 96, 1e30, priceX96);
    }

    /// @notice Swap until the spot price is `wad` USDC per WETH (an attacker or a large trade).
    function _swapToPrice(uint256 wad) internal {
        uint160 target = _sqrtPriceForUsdcPerWeth(wad);
        (uint160 current,,,,,,) = pool.slot0();
        bool zeroForOne = target < current;
        pool.swap(address(this), zeroForOne, type(int128).max, target, "");
    }

    function uniswapV3MintCallback(uint256 amount0, uint256 amount1, bytes calldata) external {
        _pay(amount0, amount1);
    }

    function uniswapV3SwapCallback(int256 amount0, int256 amount1, bytes calldata) external {
        _pay(amount0 > 0 ? uint256(amount0) : 0, amount1 > 0 ? uint256(amount1) : 0);
    }

    function _pay(uint256 amount0, uint256 amount1) private {
        (MockERC20 t0, MockERC20 t1) = _wethIsToken0() ? (weth, usdc) : (usdc, weth);
        if (amount0 > 0) t0.mint(msg.sender, amount0);
        if (amount1 > 0) t1.mint(msg.sender, amount1);
    }
}
