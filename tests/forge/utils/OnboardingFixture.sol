// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPoolTypes} from "../../../interfaces/IPool.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {BallastTimelock} from "../../../contracts/governance/BallastTimelock.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {PoolExtension} from "../../../contracts/PoolExtension.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "./EngineFixture.sol";

/// @title OnboardingFixture
/// @notice The bench core (EngineFixture: USDC settlement, WBTC and WETH collateral) governed by a BallastTimelock
/// (2-day delay, anyone executes) that holds the admin role of the oracle, the Pool and the engine, and an
/// AssetOnboarding holding the timelock's proposer and canceller roles, with COMMITTEE as its risk committee. LTT (18
/// decimals, one MockFeed at 10 USD) is the token proposed; PROPOSER holds and has approved 100,000 USDC for bonds.
abstract contract OnboardingFixture is EngineFixture {
    uint256 internal constant DELAY = 2 days;
    uint32 internal constant REVIEW_PERIOD = 7 days;
    uint128 internal constant MIN_BOND = 10_000e6;
    uint16 internal constant MIN_INITIAL_HAIRCUT_BPS = 3_000;
    uint16 internal constant MIN_MAINT_HAIRCUT_BPS = 2_000;
    uint128 internal constant MAX_SUPPLY_CAP_USD = 2_000_000e18;
    uint128 internal constant MAX_DEBT_CEILING_USD = 1_000_000e18;

    /// @dev The default listing: LTT at 10 USD, haircuts 50 % / 40 %, 100,000 LTT supply cap (1,000,000 USD), a
    /// 250,000 USD debt ceiling.
    uint256 internal constant LTT_PRICE = 10e18;
    uint128 internal constant LTT_SUPPLY_CAP = 100_000e18;
    uint256 internal constant DEBT_CEILING_USD = 250_000e18;

    address internal constant COMMITTEE = address(0xC0C0);
    address internal constant PROPOSER = address(0x9999);
    uint256 internal constant PROPOSER_USDC = 100_000e6;

    BallastTimelock internal timelock;
    AssetOnboarding internal onboarding;
    MockERC20 internal ltt;
    MockFeed internal lttFeed;

    function setUp() public virtual {
        _deployBenchCore();
        _nextBlock();
        address[] memory proposers = new address[](0);
        address[] memory executors = new address[](1); // address(0): anyone executes
        timelock = new BallastTimelock(DELAY, proposers, executors, address(this));
        oracle.grantRole(bytes32(0), address(timelock));
        PoolExtension(address(pool)).grantRole(bytes32(0), address(timelock));
        MarginEngineGovernance(address(engine)).grantRole(bytes32(0), address(timelock));
        onboarding = new AssetOnboarding(
            address(usdc),
            address(timelock),
            address(oracle),
            address(pool),
            address(engine),
            address(timelock),
            COMMITTEE,
            _defaultParams()
        );
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(onboarding));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(onboarding));
        vm.label(address(timelock), "timelock");
        vm.label(address(onboarding), "onboarding");

        ltt = new MockERC20("Long Tail Token", "LTT", 18);
        lttFeed = new MockFeed(FEED_DECIMALS, int256(LTT_PRICE / 1e10), "LTT / USD");
        vm.label(address(ltt), "LTT");
        usdc.mint(PROPOSER, PROPOSER_USDC);
        vm.prank(PROPOSER);
        usdc.approve(address(onboarding), type(uint256).max);
    }

    function _defaultParams() internal pure returns (IAssetOnboarding.OnboardingParams memory) {
        return IAssetOnboarding.OnboardingParams(
            MIN_BOND,
            REVIEW_PERIOD,
            MIN_INITIAL_HAIRCUT_BPS,
            MIN_MAINT_HAIRCUT_BPS,
            MAX_SUPPLY_CAP_USD,
            MAX_DEBT_CEILING_USD
        );
    }

    /// @dev The default listing of LTT.
    function _listing() internal view returns (IAssetOnboarding.Listing memory l) {
        l.asset = address(ltt);
        l.oracleConfig = _benchOracleConfig(lttFeed);
        l.poolParams = IPoolTypes.AssetParams(0, 500, 50, 100, 1_000_000e18);
        l.collateralParams = IMarginEngineTypes.CollateralParams(5_000, 4_000, 5_000, LTT_SUPPLY_CAP);
        l.debtCeilingUsd = DEBT_CEILING_USD;
    }

    /// @dev PROPOSER proposes `l` with the minimum bond.
    function _propose(IAssetOnboarding.Listing memory l) internal returns (uint256 id) {
        vm.prank(PROPOSER);
        id = onboarding.propose(l, MIN_BOND);
    }

    /// @dev PROPOSER proposes the default listing, and the committee approves it.
    function _proposeAndApprove() internal returns (uint256 id, bytes32 operationId) {
        id = _propose(_listing());
        vm.prank(COMMITTEE);
        operationId = onboarding.approve(id);
    }

    /// @dev Wait out the timelock delay and execute the batch of proposal `id` (as a stranger: anyone executes).
    function _executeListing(uint256 id) internal {
        vm.warp(vm.getBlockTimestamp() + DELAY);
        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            onboarding.listingBatch(id);
        vm.prank(OTHER);
        timelock.executeBatch(targets, values, payloads, bytes32(0), salt);
    }

    function _status(uint256 id) internal view returns (IAssetOnboarding.Status) {
        return onboarding.proposal(id).status;
    }

    function _wrongStatus(uint256 id, IAssetOnboarding.Status status, IAssetOnboarding.Status required)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IAssetOnboarding.WrongStatus.selector, id, status, required);
    }

    function _unauthorized(address caller, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", caller, role);
    }

    function _bounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max);
    }
}
