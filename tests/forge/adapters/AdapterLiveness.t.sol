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

/// @title AdapterLivenessTest
/// @notice Adapters report what they see, stamped with when it was true, in the crash conditions an asset is listed
/// against (a halted feed, a slashed wrapper): the aggregator judges age and bounds, and its permissionless wind-down
/// resolves an asset listed only through adapters. The redemption rate's growth cap clamps instead of refusing.
contract AdapterLivenessTest is AdapterOracleBase {
    address internal constant RAW_ASSET = address(0xA55E8);
    address internal constant ATTACKER = address(0xA77AC4E2);
    uint16 internal constant MAX_GROWTH_BPS = 2_000; // config default, 20 % a year

    MockV3Aggregator internal ethUsd;

    function setUp() public {
        _deployOracle();
        ethUsd = _mockAggregator(8, 2_000e8);
    }

    function _chainlinkAdapter(AggregatorV3Interface feed) internal returns (AggregatorV3Interface) {
        return AggregatorV3Interface(
            _deploy("ChainlinkAdapter.sol:ChainlinkAdapter", abi.encode(feed, "ETH / USD (adapter)"))
        );
    }

    function _rateProvider(uint256 rate) internal returns (MockRateProvider) {
        return MockRateProvider(_deploy("MockRateProvider.sol:MockRateProvider", abi.encode(rate)));
    }

    function _redemption(address wrapper, IRedemptionRateAdapter.RateKind kind)
        internal
        returns (RedemptionRateAdapter)
    {
        return RedemptionRateAdapter(
            _deploy(
                "RedemptionRateAdapter.sol:RedemptionRateAdapter",
                abi.encode(ethUsd, wrapper, kind, MAX_GROWTH_BPS, "wstETH / USD")
            )
        );
    }

    /// @dev When the asset's price has been Stale long enough for a wind-down.
    function _windDownable() internal view returns (uint256) {
        return T0 + MAX_PRICE_AGE + oracle.livenessParams().windDownAfter + 1;
    }

    function _expectStale(address asset) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                asset,
                IOracleAggregator.Action.Liquidate,
                IOracleAggregator.Status.Stale
            )
        );
        oracle.priceForLiquidation(asset, true);
    }

    /// @notice A feed that stops updating, listed through a ChainlinkAdapter: the asset goes Stale (the aggregator's
    /// heartbeat), and the keeper's permissionless wind-down resolves it at the stale answer, as for the raw feed.
    function test_StaleChainlinkAdapterAssetIsWoundDownPermissionlessly() public {
        _list(ASSET, _config(_one(_chainlinkAdapter(AggregatorV3Interface(address(ethUsd)))), 1));
        _list(RAW_ASSET, _config(_one(AggregatorV3Interface(address(ethUsd))), 1));
        oracle.update(ASSET);
        oracle.update(RAW_ASSET);
        assertEq(oracle.median(ASSET), 2_000e18, "adapter listing priced");

        // The feed halts (no new round); the asset goes Stale and stays so.
        vm.warp(_windDownable());
        oracle.update(ASSET);
        _expectStale(ASSET);

        (uint256 cap, bool reported) = oracle.windDownCap(ASSET);
        assertTrue(reported, "the adapter reports its stale answer");
        assertEq(cap, 2_000e18, "at the stale answer");
        oracle.proposeWindDown(RAW_ASSET);
        vm.prank(ATTACKER); // anyone
        oracle.proposeWindDown(ASSET);
        assertEq(oracle.windDownProposal(ASSET).price, 2_000e18, "proposed at the stale answer");
        vm.warp(block.timestamp + oracle.livenessParams().windDownDelay);
        oracle.executeWindDown(ASSET);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.WindDown), "wound down");
        assertEq(oracle.median(ASSET), 2_000e18, "at the stale answer");
    }

    /// @notice A 30 % slash of the wrapper while the underlying feed halts: the adapter reports the slashed
    /// redemption value with the underlying's stamp, and the permissionless wind-down proposes that value (below the
    /// last accepted median).
    function test_SlashedWrapperReportsSlashedValueAndWindsDown() public {
        MockRateProvider provider = _rateProvider(1.2e18);
        RedemptionRateAdapter adapter = _redemption(address(provider), IRedemptionRateAdapter.RateKind.RateProvider);
        _list(ASSET, _config(_one(AggregatorV3Interface(address(adapter))), 1));
        oracle.update(ASSET);
        assertEq(oracle.median(ASSET), 2_400e18, "priced before the slash");

        provider.setRate(0.84e18); // a 30 % slash
        adapter.poke(); // anchors at the slashed rate, no revert
        (, int256 answer,,,) = adapter.latestRoundData();
        assertEq(answer, 1_680e18, "the slashed redemption value");

        vm.warp(_windDownable()); // the underlying stopped too
        oracle.update(ASSET);
        _expectStale(ASSET);
        (, int256 stale,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(stale, 1_680e18, "reported when stale");
        assertEq(updatedAt, T0, "stamped with the underlying's round");
        (uint256 cap, bool reported) = oracle.windDownCap(ASSET);
        assertTrue(reported, "reported");
        assertEq(cap, 1_680e18, "cap: the redemption value");
        oracle.proposeWindDown(ASSET);
        assertEq(oracle.windDownProposal(ASSET).price, 1_680e18, "proposed at the redemption value");
    }

    /// @notice Anyone may `poke`: poked just before a wrapper's routine daily step (+0.01 %, a 3.65 %-a-year staking
    /// rate, under the 20 %-a-year cap), the step is clamped to the cap (a conservative price, slightly below the
    /// step) instead of refused: the asset stays Ok and liquidatable, and the full step is priced once the cap
    /// catches up.
    function test_PokeBeforeRoutineStepClampsInsteadOfRefusing() public {
        MockRateProvider provider = _rateProvider(1.1e18);
        RedemptionRateAdapter poked = _redemption(address(provider), IRedemptionRateAdapter.RateKind.RateProvider);
        RedemptionRateAdapter untouched = _redemption(address(provider), IRedemptionRateAdapter.RateKind.RateProvider);
        _list(ASSET, _config(_one(AggregatorV3Interface(address(poked))), 1));

        vm.warp(T0 + 1 days);
        ethUsd.updateAnswer(2_000e8);
        oracle.update(ASSET);
        vm.prank(ATTACKER);
        poked.poke();

        vm.warp(T0 + 1 days + 60);
        uint256 stepped = 1.1e18 + 1.1e18 / 10_000;
        provider.setRate(stepped);
        ethUsd.updateAnswer(2_000e8);
        (, int256 full,,,) = untouched.latestRoundData();
        assertEq(uint256(full), 2_000e18 * stepped / 1e18, "a day of allowance covers the step");
        uint256 cap = poked.rateCap();
        assertLt(cap, stepped, "the poke shrank the allowance");
        (, int256 clamped,,,) = poked.latestRoundData();
        assertEq(uint256(clamped), 2_000e18 * cap / 1e18, "clamped to the cap");
        assertLt(uint256(clamped), uint256(full), "below the step: conservative");

        vm.warp(T0 + 1 days + 4 hours);
        ethUsd.updateAnswer(2_000e8);
        oracle.update(ASSET);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "Ok");
        assertEq(oracle.priceForLiquidation(ASSET, true), oracle.median(ASSET), "liquidatable");

        // 0.01 % / 20 % a year = 15,768 s after the poke: the full step.
        vm.warp(T0 + 1 days + 15_768 + 1);
        (, int256 answer,,,) = poked.latestRoundData();
        assertEq(uint256(answer), 2_000e18 * stepped / 1e18, "the full step once the cap caught up");
    }

    /// @notice The growth allowance accrues for at most 7 days: after 30 quiet days a holder of most of a small
    /// ERC-4626 vault's shares donates 1.5 % of its assets, and the adapter prices the wrapped token at most 7 days of
    /// 20 %-a-year growth (about 0.38 %) higher.
    function test_DonationAfterQuietMonthIsClampedToSevenDaysOfGrowth() public {
        MockERC20 steth = _mockToken("Staked ETH", "stETH", 18);
        MockVault4626 vault =
            MockVault4626(_deploy("MockVault4626.sol:MockVault4626", abi.encode(steth, "Wrapped stETH", "wstETH")));
        steth.mint(ATTACKER, 101.5e18);
        vm.startPrank(ATTACKER);
        steth.approve(address(vault), 100e18);
        vault.deposit(100e18, ATTACKER);
        vm.stopPrank();
        RedemptionRateAdapter adapter = _redemption(address(vault), IRedemptionRateAdapter.RateKind.ERC4626);
        (uint256 anchorRate,) = adapter.anchor();
        vm.warp(T0 + 30 days);
        ethUsd.updateAnswer(2_000e8);
        (, int256 before,,,) = adapter.latestRoundData();
        vm.prank(ATTACKER);
        steth.transfer(address(vault), 1.5e18); // the donation
        assertApproxEqRel(adapter.rate(), anchorRate * 1.015e18 / 1e18, 1e12, "the rate rose 1.5 %");
        (, int256 inflated,,,) = adapter.latestRoundData();
        uint256 sevenDays = anchorRate + anchorRate * MAX_GROWTH_BPS * 7 days / (10_000 * 365 days);
        assertEq(adapter.rateCap(), sevenDays, "7 days of growth, not 30");
        assertEq(uint256(inflated), 2_000e18 * sevenDays / 1e18, "priced at the cap");
        assertLt(uint256(inflated), uint256(before) * 1.004e18 / 1e18, "under 0.4 % up, not 1.5 %");
    }
}
