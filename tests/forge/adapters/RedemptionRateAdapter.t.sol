// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IRedemptionRateAdapter} from "../../../interfaces/IRedemptionRateAdapter.sol";
import {RedemptionRateAdapter} from "../../../contracts/oracles/adapters/RedemptionRateAdapter.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockRateProvider} from "../../../contracts/mocks/MockRateProvider.sol";
import {MockVault4626} from "../../../contracts/mocks/MockVault4626.sol";
import {AdapterOracleBase} from "./AdapterOracleBase.sol";

/// @title RedemptionRateAdapterTest
/// @notice A wrapped token priced from its underlying's Chainlink feed (MockV3Aggregator) and its wrapper's exchange
/// rate (an OpenZeppelin ERC-4626 vault, or a rate provider), the rate clamped to its growth cap above the anchor.
contract RedemptionRateAdapterTest is AdapterOracleBase {
    uint16 internal constant MAX_GROWTH_BPS = 1_000; // 10 % a year
    address internal constant HOLDER = address(0xB0B);

    MockV3Aggregator internal ethUsd;
    MockERC20 internal steth;
    MockVault4626 internal wsteth;
    RedemptionRateAdapter internal adapter;

    function setUp() public {
        _deployOracle();
        ethUsd = _mockAggregator(8, 2_000e8);
        steth = _mockToken("Staked ETH", "stETH", 18);
        wsteth = _vault(steth, "Wrapped stETH", "wstETH");
        steth.mint(HOLDER, 100e18);
        vm.startPrank(HOLDER);
        steth.approve(address(wsteth), 100e18);
        wsteth.deposit(100e18, HOLDER);
        vm.stopPrank();
        steth.mint(address(wsteth), 10e18); // accrued rewards: 1.1 stETH per wstETH
        adapter = _newAdapter(address(wsteth), IRedemptionRateAdapter.RateKind.ERC4626);
    }

    function _newAdapter(address wrapper, IRedemptionRateAdapter.RateKind kind)
        internal
        returns (RedemptionRateAdapter)
    {
        return new RedemptionRateAdapter(
            AggregatorV3Interface(address(ethUsd)), wrapper, kind, MAX_GROWTH_BPS, "wstETH / USD"
        );
    }

    function _vault(MockERC20 asset, string memory name, string memory symbol) internal returns (MockVault4626) {
        return MockVault4626(_deploy("MockVault4626.sol:MockVault4626", abi.encode(asset, name, symbol)));
    }

    function _answer() internal view returns (uint256) {
        (, int256 answer,,,) = adapter.latestRoundData();
        return uint256(answer);
    }

    function test_PriceIsUnderlyingTimesRate() public view {
        uint256 r = wsteth.convertToAssets(1e18);
        assertApproxEqAbs(r, 1.1e18, 1e3, "rate");
        assertEq(adapter.rate(), r, "adapter rate");
        assertEq(_answer(), 2_000e18 * r / 1e18, "price");
        (uint256 a, uint256 t) = adapter.anchor();
        assertEq(a, r, "anchored at deployment");
        assertEq(t, T0, "anchor time");
    }

    /// @notice The wrapped token's price follows the underlying's feed, whatever its own market does.
    function test_FollowsUnderlying() public {
        ethUsd.updateAnswer(1_500e8);
        assertEq(_answer(), 1_500e18 * wsteth.convertToAssets(1e18) / 1e18, "price");
    }

    function _cap(uint256 anchorRate, uint256 elapsed) internal pure returns (uint256) {
        return anchorRate + anchorRate * MAX_GROWTH_BPS * elapsed / (10_000 * 365 days);
    }

    /// @notice A donation above the growth cap is priced at the cap, never above; the cap grows for at most
    /// MAX_ACCRUAL (7 days) after the anchor, and a poke anchors at the clamped rate.
    function test_DonationAboveGrowthCapIsClamped() public {
        uint256 anchorRate = adapter.rate();
        steth.mint(address(wsteth), 1e18); // +1 % in one block
        uint256 r = adapter.rate();
        assertEq(adapter.rateCap(), anchorRate, "no allowance yet");
        assertEq(_answer(), 2_000e18 * anchorRate / 1e18, "clamped to the anchor");
        vm.warp(T0 + 1 days);
        ethUsd.updateAnswer(2_000e8);
        uint256 cap = _cap(anchorRate, 1 days);
        assertEq(adapter.rateCap(), cap, "a day of growth");
        assertEq(_answer(), 2_000e18 * cap / 1e18, "clamped to the cap");
        // 10 % a year for at most 7 days: about 0.19 %, however long the anchor stays.
        vm.warp(T0 + 37 days);
        ethUsd.updateAnswer(2_000e8);
        cap = _cap(anchorRate, 7 days);
        assertEq(adapter.rateCap(), cap, "accrual capped at 7 days");
        assertEq(_answer(), 2_000e18 * cap / 1e18, "still clamped");
        vm.expectEmit(false, false, false, true, address(adapter));
        emit IRedemptionRateAdapter.RateAnchored(cap, T0 + 37 days);
        adapter.poke();
        (uint256 a, uint256 t) = adapter.anchor();
        assertEq(a, cap, "anchored at the clamped rate");
        assertEq(t, T0 + 37 days, "now");
        // Daily pokes let the price catch up at the cap's pace, never above the rate.
        for (uint256 day = 1; day <= 30; ++day) {
            vm.warp(T0 + 37 days + day * 1 days);
            adapter.poke();
        }
        ethUsd.updateAnswer(2_000e8);
        assertEq(_answer(), 2_000e18 * r / 1e18, "the real rate once the cap caught up");
        (a,) = adapter.anchor();
        assertEq(a, r, "anchored at the rate");
    }

    /// @notice A rate below the anchor (a slash, a loss) is reported as it is: collateral is valued at what it
    /// redeems for; a zero rate means nothing and reverts.
    function test_DropIsReportedAsItIs() public {
        MockRateProvider provider = new MockRateProvider(1.2e18);
        adapter = _newAdapter(address(provider), IRedemptionRateAdapter.RateKind.RateProvider);
        assertEq(_answer(), 2_400e18, "rate provider");
        provider.setRate(0.6e18); // a 50 % slash
        assertEq(_answer(), 1_200e18, "the slashed value");
        adapter.poke();
        (uint256 a,) = adapter.anchor();
        assertEq(a, 0.6e18, "poke anchors at the slashed rate");
        provider.setRate(0);
        vm.expectRevert(IRedemptionRateAdapter.ZeroRate.selector);
        adapter.latestRoundData();
        vm.expectRevert(IRedemptionRateAdapter.ZeroRate.selector);
        adapter.poke();
    }

    function test_SixDecimalVault() public {
        MockERC20 usdc = _mockToken("USD Coin", "USDC", 6);
        MockVault4626 susdc = _vault(usdc, "Savings USDC", "sUSDC");
        usdc.mint(HOLDER, 1_000e6);
        vm.startPrank(HOLDER);
        usdc.approve(address(susdc), 1_000e6);
        susdc.deposit(1_000e6, HOLDER);
        vm.stopPrank();
        usdc.mint(address(susdc), 50e6);
        ethUsd.updateAnswer(1e8); // the underlying at 1 USD
        adapter = _newAdapter(address(susdc), IRedemptionRateAdapter.RateKind.ERC4626);
        assertApproxEqRel(adapter.rate(), 1.05e18, 1e12, "rate in 18 decimals");
        assertEq(_answer(), adapter.rate(), "price = 1 USD x rate");
    }

    /// @notice A stale underlying is reported with its own stamps; a non-positive or unanswered one reverts.
    function test_UnderlyingChecks() public {
        vm.warp(T0 + 30 days);
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(uint256(answer), 2_000e18 * wsteth.convertToAssets(1e18) / 1e18, "reported");
        assertEq(updatedAt, T0, "the underlying's stamp");
        assertEq(startedAt, T0, "the underlying's start");
        assertEq(uint256(roundId), 1, "the underlying's round");
        ethUsd.updateAnswer(0);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.NonPositiveUnderlying.selector, int256(0)));
        adapter.latestRoundData();
        ethUsd.updateRoundData(7, 2_000e8, 0, T0);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.UnansweredUnderlying.selector, uint80(7)));
        adapter.latestRoundData();
    }

    function test_ConstructorRejects() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRedemptionRateAdapter.InvalidRedemptionConfig.selector, address(ethUsd), address(0))
        );
        new RedemptionRateAdapter(
            AggregatorV3Interface(address(ethUsd)), address(0), IRedemptionRateAdapter.RateKind.RateProvider, 0, "x"
        );
        MockRateProvider huge = new MockRateProvider(uint256(type(uint192).max) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRedemptionRateAdapter.RateTooLarge.selector, uint256(type(uint192).max) + 1)
        );
        _newAdapter(address(huge), IRedemptionRateAdapter.RateKind.RateProvider);
    }

    function test_AsAggregatorSource() public {
        _list(ASSET, _config(_one(adapter), 1));
        vm.warp(T0 + 60);
        IOracleAggregator.PriceData memory d = oracle.update(ASSET);
        assertEq(d.median, 2_000e18 * wsteth.convertToAssets(1e18) / 1e18, "median");
    }

    /// @notice The read path's gas (the underlying feed and the vault's `convertToAssets`). Printed with -vv.
    function test_ReadGas() public {
        adapter.latestRoundData();
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("RedemptionRateAdapter.latestRoundData gas (cold, ERC-4626)", used);
        assertLt(used, oracle.SOURCE_GAS_LIMIT(), "within the aggregator's source gas limit");
    }
}
