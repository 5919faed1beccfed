// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {BallastTimelock} from "../../../contracts/governance/BallastTimelock.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineExtension} from "../../../contracts/MarginEngineExtension.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {PoolStorage} from "../../../contracts/base/PoolStorage.sol";
import {ProtocolLock} from "../../../contracts/ProtocolLock.sol";
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
/// @dev Every contract is deployed from its compiled artifact (`vm.getCode` and CREATE), at the addresses
/// EngineFixture's `new` would give: a test contract that embedded their creation code would exceed the code size
/// limits, and solc reports such a contract with two warnings; past 256 warnings in one build solc stops reporting
/// and forge (warnings are errors) fails the build.
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

    error DeployFailed(string artifact);

    function setUp() public virtual {
        _deployBenchCoreFromArtifacts();
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

    /// @dev CREATE `artifact` with the ABI-encoded constructor arguments `args`; reverts `DeployFailed` if it fails.
    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        deployed = _create(abi.encodePacked(vm.getCode(artifact), args));
        if (deployed == address(0)) revert DeployFailed(artifact);
    }

    /// @dev CREATE with `code` (creation code and arguments); address(0) when the constructor reverts.
    function _create(bytes memory code) internal returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(0, add(code, 32), mload(code))
        }
    }

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

    /// @dev EngineFixture's `_deployBenchCore` from artifacts: the oracle, USDC / WBTC / WETH with their feeds, the core
    /// at the addresses predicted from this contract's nonce, the three pool assets, WBTC and WETH as collateral,
    /// market 0 on WETH and market 1 on WBTC.
    function _deployBenchCoreFromArtifacts() internal {
        vm.warp(T0);
        oracle = OracleAggregator(
            _deploy("OracleAggregator.sol:OracleAggregator", abi.encode(address(this), address(this), MIN_TWAP_WINDOW))
        );
        vm.label(address(oracle), "oracle");
        usdc = _newAssetFromArtifacts("USDC", 6, 1e18);
        wbtc = _newAssetFromArtifacts("WBTC", 8, 60_000e18);
        weth = _newAssetFromArtifacts("WETH", 18, 3_000e18);
        _deployCoreFromArtifacts();
        _listPoolAsset(address(usdc), 3_333);
        _listPoolAsset(address(wbtc), 3_333);
        _listPoolAsset(address(weth), 3_333);
        _listCollateral(address(wbtc));
        _listCollateral(address(weth));
        _listMarket(address(weth), 1e16);
        _listMarket(address(wbtc), 1e14);
    }

    /// @dev EngineFixture's `_newAsset` from artifacts: the token, its MockFeed at `wad`, listed and updated.
    function _newAssetFromArtifacts(string memory symbol, uint8 decimals, uint256 wad)
        internal
        returns (MockERC20 token)
    {
        token = _newToken(symbol, symbol, decimals);
        MockFeed feed = _newFeed(FEED_DECIMALS, int256(wad / 10 ** (18 - FEED_DECIMALS)));
        oracle.setAssetConfig(address(token), _benchOracleConfig(feed));
        oracle.update(address(token));
        assets.push(address(token));
        feedOf[address(token)] = feed;
        vm.label(address(token), symbol);
    }

    /// @dev EngineFixture's `_deployCore` from artifacts, in the same order and at the same predicted addresses.
    function _deployCoreFromArtifacts() internal {
        uint256 nonce = vm.getNonce(address(this));
        address poolAt = vm.computeCreateAddress(address(this), nonce + 1);
        address engineAt = vm.computeCreateAddress(address(this), nonce + 4); // after its governance and extension
        address liquidatorAt = vm.computeCreateAddress(address(this), nonce + 5);
        address fundAt = vm.computeCreateAddress(address(this), nonce + 6);
        address me = address(this);

        lock = ProtocolLock(
            _deploy("ProtocolLock.sol:ProtocolLock", abi.encode([poolAt, engineAt, liquidatorAt, fundAt]))
        );
        pool = IPool(
            _deploy(
                "Pool.sol:Pool",
                abi.encode(
                    PoolStorage.Wiring(lock, oracle, address(usdc), engineAt, liquidatorAt, fundAt, me, me, me),
                    IPoolTypes.RateModel(RATE_BASE_BPS, RATE_SLOPE1_BPS, RATE_KINK_BPS, RATE_SLOPE2_BPS),
                    MAX_UTILIZATION_BPS,
                    LP_COOLDOWN
                )
            )
        );
        MarginEngineStorage.Wiring memory w =
            MarginEngineStorage.Wiring(lock, oracle, pool, liquidatorAt, fundAt, me, me, me);
        address governance = _deploy("MarginEngineGovernance.sol:MarginEngineGovernance", abi.encode(w, engineAt));
        address extension =
            _deploy("MarginEngineExtension.sol:MarginEngineExtension", abi.encode(w, engineAt, governance));
        engine = IMarginEngine(
            _deploy(
                "MarginEngine.sol:MarginEngine",
                abi.encode(w, extension, INSURANCE_FEE_SHARE_BPS, ADL_THRESHOLD_BPS, ADL_TARGET_BPS)
            )
        );
        liquidator = Liquidator(
            _deploy(
                "Liquidator.sol:Liquidator",
                abi.encode(
                    Liquidator.Wiring(lock, engine, pool, IInsuranceFund(fundAt), oracle, address(usdc), me, me),
                    ILiquidator.Params(5_000, 5_000, 100, 100, 3_000, 1_000_000, 50e18)
                )
            )
        );
        insurance = InsuranceFund(
            _deploy(
                "InsuranceFund.sol:InsuranceFund",
                abi.encode(lock, address(usdc), pool, address(liquidator), me, me, INSURANCE_TARGET)
            )
        );
        assertEq(address(pool), poolAt, "Pool not at its predicted address");
        assertEq(address(engine), engineAt, "MarginEngine not at its predicted address");
        assertEq(address(liquidator), liquidatorAt, "Liquidator not at its predicted address");
        assertEq(address(insurance), fundAt, "InsuranceFund not at its predicted address");
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
