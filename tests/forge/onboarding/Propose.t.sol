// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingProposeTest
/// @notice `AssetOnboarding.propose` (fixture: OnboardingFixture).
contract AssetOnboardingProposeTest is OnboardingFixture {
    /// @notice A proposal stores the proposer, the deadline, the bond and the whole listing, pulls the bond and
    /// announces it all.
    function test_propose__validListing__storesPullsBondAndEmits() public {
        IAssetOnboarding.Listing memory l = _listing();
        uint256 deadline = vm.getBlockTimestamp() + REVIEW_PERIOD;
        vm.expectEmit(address(onboarding));
        emit IAssetOnboarding.Proposed(1, address(ltt), PROPOSER, MIN_BOND, deadline, l);
        uint256 id = _propose(l);

        assertEq(id, 1, "first id");
        assertEq(onboarding.proposalCount(), 1, "count");
        IAssetOnboarding.Proposal memory p = onboarding.proposal(id);
        assertEq(p.proposer, PROPOSER, "proposer");
        assertEq(uint256(p.deadline), deadline, "deadline");
        assertEq(uint8(p.status), uint8(IAssetOnboarding.Status.Pending), "pending");
        assertEq(p.bond, MIN_BOND, "bond");
        assertEq(p.operationId, bytes32(0), "no operation yet");
        assertEq(p.listing.asset, address(ltt), "asset");
        assertEq(keccak256(abi.encode(p.listing)), keccak256(abi.encode(l)), "the whole listing stored");
        assertEq(usdc.balanceOf(PROPOSER), PROPOSER_USDC - MIN_BOND, "bond pulled");
        assertEq(usdc.balanceOf(address(onboarding)), MIN_BOND, "bond held");
    }

    /// @notice A bond above the minimum is held whole; a second proposal of the same asset is allowed (a bad
    /// proposal cannot block a good one) and gets the next id.
    function test_propose__largerBondAndSameAssetTwice__bothStored() public {
        _propose(_listing());
        vm.prank(PROPOSER);
        uint256 id = onboarding.propose(_listing(), MIN_BOND + 1);
        assertEq(id, 2, "second id");
        assertEq(onboarding.proposal(id).bond, MIN_BOND + 1, "bond above the minimum");
        assertEq(usdc.balanceOf(address(onboarding)), 2 * MIN_BOND + 1, "both bonds held");
    }

    /// @notice A bond below the minimum reverts with both amounts.
    function test_propose__bondBelowMinimum__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetOnboarding.BondBelowMinimum.selector, MIN_BOND - 1, MIN_BOND));
        vm.prank(PROPOSER);
        onboarding.propose(_listing(), MIN_BOND - 1);
    }

    /// @notice A bond token that delivers less than it was asked for (fee on transfer) cannot bond a proposal.
    function test_propose__feeOnTransferBond__revertsShortDelivered() public {
        MockFeeToken fee = _newFeeToken(6, 100); // 1 %
        AssetOnboarding feeOnboarding = _newOnboarding(address(fee));
        fee.mint(PROPOSER, MIN_BOND);
        vm.prank(PROPOSER);
        fee.approve(address(feeOnboarding), MIN_BOND);
        IAssetOnboarding.Listing memory l = _listing();
        vm.expectRevert(
            abi.encodeWithSelector(IAssetOnboarding.BondShortDelivered.selector, MIN_BOND, MIN_BOND * 99 / 100)
        );
        vm.prank(PROPOSER);
        feeOnboarding.propose(l, MIN_BOND);
    }

    /// @notice The asset must be a token: not zero, with code, answering `decimals()` with at most 36.
    function test_propose__notAToken__reverts() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.asset = address(0);
        _expectProposeRevert(l, abi.encodeWithSignature("ZeroAddress()"));
        l.asset = address(0xBEEF);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.AssetHasNoCode.selector, address(0xBEEF)));
        l.asset = address(timelock); // code, no decimals()
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.NotAToken.selector, address(timelock)));
        MockERC20 wide = _newToken("Wide", "WIDE", 37);
        l.asset = address(wide);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.NotAToken.selector, address(wide)));
    }

    /// @notice An asset the engine, the Pool or the oracle already lists is refused, naming which lists it: WETH (all
    /// three: the engine is asked first), USDC (the settlement asset: Pool and oracle) and LTT once the oracle lists it.
    function test_propose__alreadyListed__revertsNamingTheLister() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.asset = address(weth);
        _expectProposeRevert(
            l, abi.encodeWithSelector(IAssetOnboarding.AlreadyListed.selector, address(weth), address(engine))
        );
        l.asset = address(usdc);
        _expectProposeRevert(
            l, abi.encodeWithSelector(IAssetOnboarding.AlreadyListed.selector, address(usdc), address(pool))
        );
        oracle.setAssetConfig(address(ltt), _benchOracleConfig(lttFeed));
        l.asset = address(ltt);
        _expectProposeRevert(
            l, abi.encodeWithSelector(IAssetOnboarding.AlreadyListed.selector, address(ltt), address(oracle))
        );
    }

    /// @notice A listing names 1 to 8 oracle sources.
    function test_propose__sourceCountOutOfRange__reverts() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.oracleConfig.sources = new IOracleAggregator.SourceConfig[](0);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourceCountOutOfRange.selector, 0, 8));
        l.oracleConfig.sources = new IOracleAggregator.SourceConfig[](9);
        for (uint256 i = 0; i < 9; ++i) {
            l.oracleConfig.sources[i] = _benchOracleConfig(lttFeed).sources[0];
        }
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourceCountOutOfRange.selector, 9, 8));
    }

    /// @notice The debt ceiling is 1 to `maxDebtCeilingUsd`: zero and one above the maximum revert, the maximum is
    /// accepted.
    function test_propose__debtCeilingBounds__zeroAndAboveMaxRevert() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.debtCeilingUsd = 0;
        _expectProposeRevert(
            l, abi.encodeWithSelector(IAssetOnboarding.DebtCeilingOutOfRange.selector, 0, MAX_DEBT_CEILING_USD)
        );
        l.debtCeilingUsd = uint256(MAX_DEBT_CEILING_USD) + 1;
        _expectProposeRevert(
            l,
            abi.encodeWithSelector(
                IAssetOnboarding.DebtCeilingOutOfRange.selector, uint256(MAX_DEBT_CEILING_USD) + 1, MAX_DEBT_CEILING_USD
            )
        );
        l.debtCeilingUsd = MAX_DEBT_CEILING_USD;
        uint256 id = _propose(l);
        assertEq(onboarding.proposal(id).listing.debtCeilingUsd, MAX_DEBT_CEILING_USD, "the maximum is accepted");
    }

    /// @notice Each haircut must be at least its isolation minimum (3,000 and 2,000 bps here); the minimums are
    /// accepted.
    function test_propose__haircutBelowIsolationMinimum__reverts() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.collateralParams.initialHaircutBps = MIN_INITIAL_HAIRCUT_BPS - 1;
        _expectProposeRevert(
            l,
            abi.encodeWithSelector(
                IAssetOnboarding.HaircutBelowIsolation.selector,
                bytes32("initialHaircutBps"),
                MIN_INITIAL_HAIRCUT_BPS - 1,
                MIN_INITIAL_HAIRCUT_BPS
            )
        );
        l.collateralParams.initialHaircutBps = MIN_INITIAL_HAIRCUT_BPS;
        l.collateralParams.maintHaircutBps = MIN_MAINT_HAIRCUT_BPS - 1;
        _expectProposeRevert(
            l,
            abi.encodeWithSelector(
                IAssetOnboarding.HaircutBelowIsolation.selector,
                bytes32("maintHaircutBps"),
                MIN_MAINT_HAIRCUT_BPS - 1,
                MIN_MAINT_HAIRCUT_BPS
            )
        );
        l.collateralParams.maintHaircutBps = MIN_MAINT_HAIRCUT_BPS;
        _propose(l);
        assertEq(onboarding.proposalCount(), 1, "the minimums are accepted");
    }

    /// @notice The supply cap is valued at the feed's 10 USD: 200,000 LTT is exactly the 2,000,000 USD maximum, one
    /// wei more is worth 10 wei of USD too much.
    function test_propose__supplyCapAboveIsolationMaximum__revertsWithItsValue() public {
        IAssetOnboarding.Listing memory l = _listing();
        l.collateralParams.supplyCap = 200_000e18 + 1;
        _expectProposeRevert(
            l,
            abi.encodeWithSelector(
                IAssetOnboarding.SupplyCapAboveIsolation.selector, 200_000e18 + 1, 2_000_000e18 + 10, MAX_SUPPLY_CAP_USD
            )
        );
        l.collateralParams.supplyCap = 200_000e18;
        _propose(l);
        assertEq(onboarding.proposalCount(), 1, "exactly the maximum is accepted");
    }

    /// @notice The cap is valued at the highest usable answer: a second source at 12 USD (18 decimals) counts, an
    /// answer outside its source's bounds or from a reverting feed does not.
    function test_propose__supplyCapValuedAtHighestUsableSource__ignoresOutOfBoundsAndReverting() public {
        MockFeed high = _newFeed(18, 12e18);
        MockFeed outOfBounds = _newFeed(8, 50e8);
        MockFeed broken = _newFeed(8, 90e8);
        broken.setReverting(true);
        IAssetOnboarding.Listing memory l = _listing();
        l.oracleConfig.sources = new IOracleAggregator.SourceConfig[](4);
        l.oracleConfig.sources[0] = IOracleAggregator.SourceConfig(address(lttFeed), HEARTBEAT, 1, 1e18);
        l.oracleConfig.sources[1] = IOracleAggregator.SourceConfig(address(high), HEARTBEAT, 1, 1e30);
        l.oracleConfig.sources[2] = IOracleAggregator.SourceConfig(address(outOfBounds), HEARTBEAT, 1, 20e8);
        l.oracleConfig.sources[3] = IOracleAggregator.SourceConfig(address(broken), HEARTBEAT, 1, 1e18);
        l.collateralParams.supplyCap = 200_000e18; // 2,400,000 USD at 12
        _expectProposeRevert(
            l,
            abi.encodeWithSelector(
                IAssetOnboarding.SupplyCapAboveIsolation.selector, 200_000e18, 2_400_000e18, MAX_SUPPLY_CAP_USD
            )
        );
        l.collateralParams.supplyCap = 166_666e18; // 1,999,992 USD at 12
        _propose(l);
        assertEq(onboarding.proposal(1).listing.oracleConfig.sources.length, 4, "four sources stored");
    }

    /// @notice With no source reporting a usable answer (zero, negative, outside its bounds, no code), the supply cap
    /// cannot be valued and the proposal is refused.
    function test_propose__noUsableSource__revertsSourcesUnpriced() public {
        IAssetOnboarding.Listing memory l = _listing();
        lttFeed.setAnswer(0);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourcesUnpriced.selector, address(ltt)));
        lttFeed.setAnswer(-1);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourcesUnpriced.selector, address(ltt)));
        lttFeed.setAnswer(2e18); // above maxAnswer 1e18
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourcesUnpriced.selector, address(ltt)));
        l.oracleConfig.sources[0].feed = address(0xFEED);
        _expectProposeRevert(l, abi.encodeWithSelector(IAssetOnboarding.SourcesUnpriced.selector, address(ltt)));
    }

    /// @notice Whatever the supply cap and the price, the proposal passes exactly when the cap's value
    /// (cap * price / 1e18, rounded down) is at most the maximum.
    function testFuzz_propose__supplyCap__acceptedIffValueAtMostMaximum(uint128 cap, uint256 price) public {
        cap = uint128(bound(cap, 1, 1e30));
        price = bound(price, 1e10, 1e28); // 1e-8 to 1e10 USD, 8-decimal feed
        price = price / 1e10 * 1e10;
        lttFeed.setAnswer(int256(price / 1e10));
        IAssetOnboarding.Listing memory l = _listing();
        l.collateralParams.supplyCap = cap;
        uint256 value = uint256(cap) * price / 1e18;
        if (value > MAX_SUPPLY_CAP_USD) {
            _expectProposeRevert(
                l,
                abi.encodeWithSelector(
                    IAssetOnboarding.SupplyCapAboveIsolation.selector, cap, value, MAX_SUPPLY_CAP_USD
                )
            );
        } else {
            uint256 id = _propose(l);
            assertEq(onboarding.proposal(id).listing.collateralParams.supplyCap, cap, "stored");
        }
    }

    function _expectProposeRevert(IAssetOnboarding.Listing memory l, bytes memory err) internal {
        vm.expectRevert(err);
        vm.prank(PROPOSER);
        onboarding.propose(l, MIN_BOND);
    }
}
