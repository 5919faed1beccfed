// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IUniswapV3PoolOracle} from "../../../interfaces/IUniswapV3PoolOracle.sol";
import {ChainlinkAdapter} from "../../../contracts/oracles/adapters/ChainlinkAdapter.sol";
import {UniswapV3TwapAdapter} from "../../../contracts/oracles/adapters/UniswapV3TwapAdapter.sol";
import {UniswapPoolBase} from "./UniswapPoolBase.sol";

/// @title TwapManipulationTest
/// @notice An attacker swaps a real Uniswap v3 WETH/USDC pool's spot price from 2,000 to 1,000 and holds it there (no
/// arbitrage: the worst case for the oracle) while the OracleAggregator updates every 60 s. Three listings of WETH:
/// - MIXED: two Chainlink feeds (honest, 2,000) and the pool's 30-minute TWAP, quorum 2: the median of three;
/// - TWAP30: the 30-minute TWAP alone;
/// - TWAP1: a 1-minute TWAP alone (close to the spot).
/// The table (forge test --match-contract TwapManipulationTest -vv) is the one in docs/oracles.md.
contract TwapManipulationTest is UniswapPoolBase {
    address internal constant MIXED = address(0xA11);
    address internal constant TWAP30 = address(0xA12);
    address internal constant TWAP1 = address(0xA13);
    uint256 internal constant STEP = 60;

    MockV3Aggregator internal feedA;
    MockV3Aggregator internal feedB;
    UniswapV3TwapAdapter internal twap30;
    UniswapV3TwapAdapter internal twap1;
    uint256 internal attackAt;

    function setUp() public {
        _deployOracle();
        _deployPool(400);
        feedA = _mockAggregator(8, 2_000e8);
        feedB = _mockAggregator(8, 2_000e8);
        AggregatorV3Interface clA = new ChainlinkAdapter(AggregatorV3Interface(address(feedA)), "A");
        AggregatorV3Interface clB = new ChainlinkAdapter(AggregatorV3Interface(address(feedB)), "B");
        IUniswapV3PoolOracle p = IUniswapV3PoolOracle(address(pool));
        twap30 = new UniswapV3TwapAdapter(p, address(weth), 1800, 0, AggregatorV3Interface(address(0)), "30 min");
        twap1 = new UniswapV3TwapAdapter(p, address(weth), 60, 0, AggregatorV3Interface(address(0)), "1 min");
        AggregatorV3Interface[] memory three = new AggregatorV3Interface[](3);
        (three[0], three[1], three[2]) = (clA, clB, twap30);
        // The pool needs 30 minutes of history before the 30-minute adapter answers.
        vm.warp(T0 + 1800);
        _list(MIXED, _config(three, 2));
        _list(TWAP30, _config(_one(twap30), 1));
        _list(TWAP1, _config(_one(twap1), 1));
        // 30 minutes of quiet updates: every TWAP of the aggregator spans honest history.
        for (uint256 t = T0 + 1800; t <= T0 + 3600; t += STEP) {
            _step(t);
        }
        attackAt = T0 + 3600;
    }

    function _step(uint256 t) internal {
        vm.warp(t);
        feedA.updateAnswer(2_000e8);
        feedB.updateAnswer(2_000e8);
        oracle.update(MIXED);
        oracle.update(TWAP30);
        oracle.update(TWAP1);
    }

    function _price(UniswapV3TwapAdapter a) internal view returns (uint256) {
        (, int256 answer,,,) = a.latestRoundData();
        return uint256(answer);
    }

    function test_SpotManipulation() public {
        uint256 twap30Before = _price(twap30);
        uint256 twap1Before = _price(twap1);
        // The attack, in the block of the last quiet update.
        (int256 a0, int256 a1) = pool.swap(address(this), _wethIsToken0(), type(int128).max, _attackLimit(), "");
        (uint256 wethIn, uint256 usdcOut) = _wethIsToken0() ? (uint256(a0), uint256(-a1)) : (uint256(a1), uint256(-a0));
        emit log_named_uint("attack: WETH sold into the pool (whole)", wethIn / 1e18);
        emit log_named_uint("attack: USDC taken out (whole)", usdcOut / 1e6);
        assertApproxEqRel(_spotUsdcPerWeth(), 1_000e18, 1e14, "spot halved");
        // Same block: a TWAP ending now gives the new tick no weight.
        assertEq(_price(twap30), twap30Before, "30-min TWAP unmoved in the attack block");
        assertEq(_price(twap1), twap1Before, "1-min TWAP unmoved in the attack block");

        emit log("  after |   spot | twap1m | twap30m | MIXED median  twap  status | TWAP30 median  twap  status | TWAP1 median  twap  status");
        uint256[7] memory marks = [uint256(60), 120, 300, 600, 900, 1200, 1800];
        uint256 m;
        for (uint256 dt = STEP; dt <= 1800; dt += STEP) {
            _step(attackAt + dt);
            IOracleAggregator.PriceData memory mixed = oracle.getPriceData(MIXED);
            IOracleAggregator.PriceData memory t30 = oracle.getPriceData(TWAP30);
            IOracleAggregator.PriceData memory t1 = oracle.getPriceData(TWAP1);
            // Two honest sources of three: the median never leaves 2,000, whatever the pool does.
            assertEq(mixed.median, 2_000e18, "mixed median");
            if (m < marks.length && dt == marks[m]) {
                ++m;
                _row(dt, mixed, t30, t1);
            }
            if (dt == 60) {
                // The 1-minute TWAP already averages only the manipulated tick.
                assertApproxEqRel(t1.median, 1_000e18, 2e14, "1-min TWAP follows the spot after a minute");
                // The 30-minute TWAP moved by 1/30 of the log move: 2,000 x 0.5^(1/30) = 1,954.
                assertApproxEqRel(_price(twap30), 1_954.3e18, 5e14, "30-min TWAP after a minute");
                // That is beyond the 2 % dispersion bound: the mixed listing is Deviated (new risk refused), its
                // median still 2,000.
                assertEq(uint256(mixed.status), uint256(IOracleAggregator.Status.Deviated), "mixed deviated");
            }
        }
        // Held for the whole window, the manipulation is complete in the pool's TWAP.
        assertApproxEqRel(_price(twap30), 1_000e18, 2e14, "30-min TWAP after 30 minutes");
        assertApproxEqRel(oracle.median(TWAP30), 1_000e18, 2e14, "the TWAP-only listing follows");
    }

    function _attackLimit() internal view returns (uint160) {
        return _sqrtPriceForUsdcPerWeth(1_000e18);
    }

    function _row(
        uint256 dt,
        IOracleAggregator.PriceData memory mixed,
        IOracleAggregator.PriceData memory t30,
        IOracleAggregator.PriceData memory t1
    ) internal {
        emit log(string.concat(
                string.concat(
                    _pad(vm.toString(dt), 5),
                    "s | ",
                    _usd(_spotUsdcPerWeth()),
                    " | ",
                    _usd(_price(twap1)),
                    " | ",
                    _usd(_price(twap30)),
                    " | "
                ),
                _agg(mixed),
                " | ",
                _agg(t30),
                " | ",
                _agg(t1)
            ));
    }

    function _agg(IOracleAggregator.PriceData memory d) internal pure returns (string memory) {
        string[5] memory names = ["Ok", "Deviated", "Stale", "Frozen", "WindDown"];
        return string.concat(_usd(d.median), " ", _usd(d.twap), " ", names[uint256(d.status)]);
    }

    /// @dev A WAD price as whole dollars, padded to 6 characters.
    function _usd(uint256 wad) internal pure returns (string memory) {
        return _pad(vm.toString((wad + 5e17) / 1e18), 6);
    }

    function _pad(string memory s, uint256 width) internal pure returns (string memory) {
        while (bytes(s).length < width) s = string.concat(" ", s);
        return s;
    }
}
