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
/// rate (an OpenZeppelin ERC-4626 vault, or a rate provider), with the rate's bounds around the anchor.
contract RedemptionRateAdapterTest is AdapterOracleBase {
    uint32 internal constant MAX_AGE = 3600;
    uint16 internal constant MAX_DROP_BPS = 500; // 5 %
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
            AggregatorV3Interface(address(ethUsd)), wrapper, kind, MAX_AGE, MAX_DROP_BPS, MAX_GROWTH_BPS, "wstETH / USD"
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

    function test_DonationAboveGrowthCapIsRefused() public {
        uint256 anchorRate = adapter.rate();
        steth.mint(address(wsteth), 1e18); // +1 % in one block
        uint256 r = adapter.rate();
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.RateAboveCap.selector, r, anchorRate));
        adapter.latestRoundData();
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.RateAboveCap.selector, r, anchorRate));
        adapter.poke();
        // 10 % a year: about 1 % growth is allowed after 36.5 days.
        vm.warp(T0 + 37 days);
        ethUsd.updateAnswer(2_000e8);
        (, uint256 cap) = adapter.rateBounds();
        assertEq(cap, anchorRate + anchorRate * MAX_GROWTH_BPS * 37 days / (10_000 * 365 days), "cap grows");
        assertEq(_answer(), 2_000e18 * r / 1e18, "accepted once the cap caught up");
        vm.expectEmit(false, false, false, true, address(adapter));
        emit IRedemptionRateAdapter.RateAnchored(r, T0 + 37 days);
        adapter.poke();
        (uint256 a,) = adapter.anchor();
        assertEq(a, r, "anchor moved");
    }

    function test_DropBelowFloorIsRefused() public {
        MockRateProvider provider = new MockRateProvider(1.2e18);
        adapter = _newAdapter(address(provider), IRedemptionRateAdapter.RateKind.RateProvider);
        assertEq(_answer(), 2_400e18, "rate provider");
        provider.setRate(1.14e18); // exactly 5 % down
        assertEq(_answer(), 2_280e18, "at the floor");
        provider.setRate(1.14e18 - 1);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.RateBelowFloor.selector, 1.14e18 - 1, 1.14e18));
        adapter.latestRoundData();
        provider.setRate(0);
        vm.expectRevert(IRedemptionRateAdapter.ZeroRate.selector);
        adapter.latestRoundData();
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

    function test_UnderlyingChecks() public {
        vm.warp(T0 + MAX_AGE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRedemptionRateAdapter.StaleUnderlying.selector, T0, uint256(MAX_AGE), T0 + MAX_AGE + 1
            )
        );
        adapter.latestRoundData();
        ethUsd.updateAnswer(0);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionRateAdapter.NonPositiveUnderlying.selector, int256(0)));
        adapter.latestRoundData();
    }

    function test_ConstructorRejects() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRedemptionRateAdapter.InvalidRedemptionConfig.selector,
                address(ethUsd),
                address(wsteth),
                MAX_AGE,
                10_000
            )
        );
        new RedemptionRateAdapter(
            AggregatorV3Interface(address(ethUsd)),
            address(wsteth),
            IRedemptionRateAdapter.RateKind.ERC4626,
            MAX_AGE,
            10_000,
            MAX_GROWTH_BPS,
            "x"
        );
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
