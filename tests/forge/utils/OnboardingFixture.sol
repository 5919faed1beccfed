// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPoolTypes} from "../../../interfaces/IPool.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {BallastTimelock} from "../../../contracts/governance/BallastTimelock.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MockCallbackToken, MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "./EngineFixture.sol";

/// @title OnboardingFixture
/// @notice The bench core of EngineFixture (USDC settlement, WBTC and WETH collateral, the same parameters, the test
/// contract its admin) governed by a BallastTimelock (2-day delay, anyone executes) that holds the admin role of the
/// oracle, the Pool and the engine, and an AssetOnboarding holding the timelock's proposer and canceller roles, with
/// COMMITTEE as its risk committee. LTT (18 decimals, one MockFeed at 10 USD) is the token proposed; PROPOSER holds and
/// has approved 100,000 USDC for bonds.
/// @dev Every contract is deployed from its compiled artifact (`_deploy`), as EngineFixture deploys the core.
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
        timelock = BallastTimelock(
            payable(_deploy(
                    "BallastTimelock.sol:BallastTimelock", abi.encode(DELAY, proposers, executors, address(this))
                ))
        );
        oracle.grantRole(bytes32(0), address(timelock));
        IAccessControl(address(pool)).grantRole(bytes32(0), address(timelock));
        IAccessControl(address(engine)).grantRole(bytes32(0), address(timelock));
        onboarding = _newOnboarding(address(usdc));
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(onboarding));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(onboarding));
        vm.label(address(timelock), "timelock");
        vm.label(address(onboarding), "onboarding");

        ltt = _newToken("Long Tail Token", "LTT", 18);
        lttFeed = _newFeed(FEED_DECIMALS, int256(LTT_PRICE / 1e10));
        vm.label(address(ltt), "LTT");
        usdc.mint(PROPOSER, PROPOSER_USDC);
        vm.prank(PROPOSER);
        usdc.approve(address(onboarding), type(uint256).max);
    }

    // ---------------------------------------------------------------- deployment from artifacts

    /// @dev The creation code and arguments of an AssetOnboarding wired to this core (admin: the timelock).
    function _onboardingCode(address bondToken, IAssetOnboarding.OnboardingParams memory params)
        internal
        view
        returns (bytes memory)
    {
        return abi.encodePacked(
            vm.getCode("AssetOnboarding.sol:AssetOnboarding"),
            abi.encode(
                bondToken,
                address(timelock),
                address(oracle),
                address(pool),
                address(engine),
                address(timelock),
                COMMITTEE,
                params
            )
        );
    }

    /// @dev An AssetOnboarding on this core bonding in `bondToken`, with the default parameters.
    function _newOnboarding(address bondToken) internal returns (AssetOnboarding deployed) {
        deployed = AssetOnboarding(_create(_onboardingCode(bondToken, _defaultParams())));
        if (address(deployed) == address(0)) revert DeployFailed("AssetOnboarding.sol:AssetOnboarding");
    }

    function _newToken(string memory name, string memory symbol, uint8 decimals) internal returns (MockERC20) {
        return MockERC20(_deploy("MockERC20.sol:MockERC20", abi.encode(name, symbol, decimals)));
    }

    function _newFeed(uint8 decimals, int256 answer) internal returns (MockFeed) {
        return MockFeed(_deploy("MockFeed.sol:MockFeed", abi.encode(decimals, answer, "feed")));
    }

    function _newFeeToken(uint8 decimals, uint256 feeBps) internal returns (MockFeeToken) {
        return MockFeeToken(_deploy("MockTokens.sol:MockFeeToken", abi.encode(decimals, feeBps)));
    }

    function _newCallbackToken() internal returns (MockCallbackToken) {
        return MockCallbackToken(_deploy("MockTokens.sol:MockCallbackToken", ""));
    }

    // ---------------------------------------------------------------- the onboarding

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
