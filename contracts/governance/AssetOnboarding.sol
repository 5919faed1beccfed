// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {IAssetOnboarding} from "../../interfaces/IAssetOnboarding.sol";
import {IMarginEngineAdmin, IMarginEngineGovernance, IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {IPoolAdmin} from "../../interfaces/IPool.sol";
import {Roles} from "../base/Roles.sol";
import {ParamBounds} from "../libraries/ParamBounds.sol";

/// @title AssetOnboarding
/// @notice Proposals to list a collateral asset, decided by the risk committee and executed by the BallastTimelock.
contract AssetOnboarding is IAssetOnboarding, Roles {
    using SafeERC20 for IERC20;

    /// @dev The oracle's limit on sources per asset (`OracleAggregator.MAX_SOURCES`).
    uint256 private constant MAX_SOURCES = 8;
    uint256 private constant MIN_REVIEW_PERIOD = 1 days;
    uint256 private constant MAX_REVIEW_PERIOD = 30 days;
    /// @dev The engine's own bounds on the haircuts (`MarginEngineGovernance._checkCollateral`).
    uint256 private constant MAX_MAINT_HAIRCUT_BPS = 9_000;
    uint256 private constant MAX_INITIAL_HAIRCUT_BPS = 9_500;
    /// @dev Bounds of the USD maxima: 1 USD to a billion USD (WAD).
    uint256 private constant MIN_ISOLATION_USD = 1e18;
    uint256 private constant MAX_ISOLATION_USD = 1e27;
    /// @dev The largest minimum bond, in whole bond tokens.
    uint256 private constant MAX_MIN_BOND_TOKENS = 1e9;
    bytes32 private constant LISTING = "listing";
    bytes32 private constant PROMOTION = "promotion";

    /// @inheritdoc IAssetOnboarding
    address public immutable bondToken;
    /// @inheritdoc IAssetOnboarding
    address public immutable timelock;
    /// @inheritdoc IAssetOnboarding
    address public immutable oracle;
    /// @inheritdoc IAssetOnboarding
    address public immutable pool;
    /// @inheritdoc IAssetOnboarding
    address public immutable engine;
    /// @dev `MAX_MIN_BOND_TOKENS` whole bond tokens, in units (capped to 128 bits).
    uint256 private immutable _maxMinBond;

    OnboardingParams private _params;
    /// @inheritdoc IAssetOnboarding
    uint256 public proposalCount;
    /// @inheritdoc IAssetOnboarding
    uint256 public promotionCount;
    mapping(uint256 id => Proposal) private _proposals;
    /// @inheritdoc IAssetOnboarding
    mapping(address asset => uint256 id) public queuedListing;
    mapping(bytes32 operationId => Promotion) private _promotions;
    /// @dev Set while an entry point that calls out runs: the bond token, a proposed asset or feed, or the timelock
    /// cannot call back in.
    bool private transient _entered;

    modifier nonReentrant() {
        if (_entered) revert Reentered();
        _entered = true;
        _;
        _entered = false;
    }

    /// @param bondToken_ The bond token: the Pool's settlement asset.
    /// @param timelock_ The BallastTimelock (admin of the oracle, the Pool and the engine); this contract needs its
    /// PROPOSER_ROLE and CANCELLER_ROLE.
    /// @param admin Governance (the timelock): sets the parameters and grants the roles.
    /// @param committee The first holder of RISK_COMMITTEE_ROLE.
    constructor(
        address bondToken_,
        address timelock_,
        address oracle_,
        address pool_,
        address engine_,
        address admin,
        address committee,
        OnboardingParams memory params_
    ) {
        if (
            bondToken_ == address(0) || timelock_ == address(0) || oracle_ == address(0) || pool_ == address(0)
                || engine_ == address(0) || admin == address(0) || committee == address(0)
        ) revert ZeroAddress();
        (bondToken, timelock, oracle, pool, engine) = (bondToken_, timelock_, oracle_, pool_, engine_);
        uint256 maxMinBond = MAX_MIN_BOND_TOKENS * 10 ** IERC20Metadata(bondToken_).decimals();
        _maxMinBond = maxMinBond < type(uint128).max ? maxMinBond : type(uint128).max;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_COMMITTEE_ROLE, committee);
        _setParams(params_);
    }

    // ---------------------------------------------------------------- proposals

    /// @inheritdoc IAssetOnboarding
    function propose(Listing calldata listing, uint256 bond) external nonReentrant returns (uint256 id) {
        OnboardingParams memory p = _params;
        _checkListing(listing, p);
        if (bond < p.minBond) revert BondBelowMinimum(bond, p.minBond);

        id = ++proposalCount;
        Proposal storage s = _proposals[id];
        uint256 deadline = block.timestamp + p.reviewPeriod;
        (s.proposer, s.deadline, s.status, s.bond) = (msg.sender, uint48(deadline), Status.Pending, bond);
        s.listing = listing;
        emit Proposed(id, listing.asset, msg.sender, bond, deadline, listing);

        uint256 before = IERC20(bondToken).balanceOf(address(this));
        IERC20(bondToken).safeTransferFrom(msg.sender, address(this), bond);
        uint256 received = IERC20(bondToken).balanceOf(address(this)) - before;
        if (received != bond) revert BondShortDelivered(bond, received);
    }

    /// @inheritdoc IAssetOnboarding
    function approve(uint256 id) external onlyRole(RISK_COMMITTEE_ROLE) nonReentrant returns (bytes32 operationId) {
        Proposal storage s = _proposals[id];
        _requireStatus(id, s.status, Status.Pending);
        _requireReviewOpen(id, s.deadline);
        address asset = s.listing.asset;
        uint256 queued = queuedListing[asset];
        if (queued != 0) revert ListingQueued(asset, queued);
        _checkNotListed(asset);

        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            _listingBatch(id, s.listing);
        operationId = _hashBatch(targets, values, payloads, salt);
        (s.status, s.operationId) = (Status.Approved, operationId);
        queuedListing[asset] = id;
        uint256 delay = TimelockController(payable(timelock)).getMinDelay();
        emit Approved(id, asset, operationId, salt, block.timestamp + delay);

        TimelockController(payable(timelock)).scheduleBatch(targets, values, payloads, bytes32(0), salt, delay);
    }

    /// @inheritdoc IAssetOnboarding
    function reject(uint256 id, bytes32 reason) external onlyRole(RISK_COMMITTEE_ROLE) nonReentrant {
        Proposal storage s = _proposals[id];
        _requireStatus(id, s.status, Status.Pending);
        _requireReviewOpen(id, s.deadline);
        s.status = Status.Rejected;
        emit Rejected(id, s.listing.asset, reason);
        _returnBond(id, s);
    }

    /// @inheritdoc IAssetOnboarding
    function reclaim(uint256 id) external nonReentrant {
        Proposal storage s = _proposals[id];
        _requireStatus(id, s.status, Status.Pending);
        if (block.timestamp <= s.deadline) revert ReviewOpen(id, s.deadline);
        s.status = Status.Expired;
        emit Expired(id, s.listing.asset);
        _returnBond(id, s);
    }

    /// @inheritdoc IAssetOnboarding
    function finalize(uint256 id) external nonReentrant returns (Status status) {
        Proposal storage s = _proposals[id];
        _requireStatus(id, s.status, Status.Approved);
        (bytes32 operationId, address asset) = (s.operationId, s.listing.asset);
        TimelockController.OperationState state = TimelockController(payable(timelock)).getOperationState(operationId);
        if (state == TimelockController.OperationState.Done) {
            status = Status.Listed;
            emit Listed(id, asset, operationId);
        } else if (state == TimelockController.OperationState.Unset) {
            status = Status.Cancelled; // cancelled in the timelock by another canceller
            emit ListingCancelled(id, asset, operationId);
        } else {
            revert ListingNotExecuted(id, operationId, TimelockController(payable(timelock)).getTimestamp(operationId));
        }
        s.status = status;
        delete queuedListing[asset];
        _returnBond(id, s);
    }

    /// @inheritdoc IAssetOnboarding
    function cancel(uint256 id) external onlyRole(RISK_COMMITTEE_ROLE) nonReentrant {
        Proposal storage s = _proposals[id];
        _requireStatus(id, s.status, Status.Approved);
        (bytes32 operationId, address asset) = (s.operationId, s.listing.asset);
        s.status = Status.Cancelled;
        delete queuedListing[asset];
        emit ListingCancelled(id, asset, operationId);
        TimelockController(payable(timelock)).cancel(operationId);
        _returnBond(id, s);
    }

    // ---------------------------------------------------------------- promotions

    /// @inheritdoc IAssetOnboarding
    function proposePromotion(address asset, IMarginEngineTypes.CollateralParams calldata params_)
        external
        onlyRole(RISK_COMMITTEE_ROLE)
        nonReentrant
        returns (bytes32 operationId)
    {
        uint256 ceiling = _readUint(engine, abi.encodeCall(IMarginEngineGovernance.collateralIsolation, (asset)));
        if (ceiling == type(uint256).max) revert NotCollateral(asset); // the view reverts for an unlisted asset
        if (ceiling == 0) revert NotIsolated(asset);
        uint96 number = uint96(++promotionCount);
        Promotion memory promo = Promotion(asset, number, params_);
        (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt) =
            _promotionBatch(promo);
        operationId = _hashBatch(targets, values, payloads, salt);
        _promotions[operationId] = promo;
        uint256 delay = TimelockController(payable(timelock)).getMinDelay();
        emit PromotionProposed(asset, operationId, params_, salt, block.timestamp + delay);

        TimelockController(payable(timelock)).scheduleBatch(targets, values, payloads, bytes32(0), salt, delay);
    }

    /// @inheritdoc IAssetOnboarding
    function cancelPromotion(bytes32 operationId) external onlyRole(RISK_COMMITTEE_ROLE) nonReentrant {
        address asset = _promotions[operationId].asset;
        if (asset == address(0)) revert UnknownPromotion(operationId);
        emit PromotionCancelled(asset, operationId);
        TimelockController(payable(timelock)).cancel(operationId);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IAssetOnboarding
    function setParams(OnboardingParams calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(params_);
    }

    function _setParams(OnboardingParams memory p) private {
        ParamBounds.check("minBond", p.minBond, 1, _maxMinBond);
        ParamBounds.check("reviewPeriod", p.reviewPeriod, MIN_REVIEW_PERIOD, MAX_REVIEW_PERIOD);
        ParamBounds.check("minMaintHaircutBps", p.minMaintHaircutBps, 0, MAX_MAINT_HAIRCUT_BPS);
        ParamBounds.check("minInitialHaircutBps", p.minInitialHaircutBps, p.minMaintHaircutBps, MAX_INITIAL_HAIRCUT_BPS);
        ParamBounds.check("maxSupplyCapUsd", p.maxSupplyCapUsd, MIN_ISOLATION_USD, MAX_ISOLATION_USD);
        ParamBounds.check("maxDebtCeilingUsd", p.maxDebtCeilingUsd, MIN_ISOLATION_USD, MAX_ISOLATION_USD);
        _params = p;
        emit ParamsSet(p);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAssetOnboarding
    function proposal(uint256 id) external view returns (Proposal memory) {
        return _proposals[id];
    }

    /// @inheritdoc IAssetOnboarding
    function listingBatch(uint256 id)
        external
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt)
    {
        Proposal storage s = _proposals[id];
        _requireExists(id, s.status);
        return _listingBatch(id, s.listing);
    }

    /// @inheritdoc IAssetOnboarding
    function promotion(bytes32 operationId) external view returns (Promotion memory) {
        return _promotions[operationId];
    }

    /// @inheritdoc IAssetOnboarding
    function promotionBatch(bytes32 operationId)
        external
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt)
    {
        Promotion memory promo = _promotions[operationId];
        if (promo.asset == address(0)) revert UnknownPromotion(operationId);
        return _promotionBatch(promo);
    }

    /// @inheritdoc IAssetOnboarding
    function params() external view returns (OnboardingParams memory) {
        return _params;
    }

    // ---------------------------------------------------------------- internals

    /// @dev The cheap checks of `propose` (see the interface); the oracle, the Pool and the engine check the rest when
    /// the timelock executes the listing.
    function _checkListing(Listing calldata l, OnboardingParams memory p) private view {
        address asset = l.asset;
        if (asset == address(0)) revert ZeroAddress();
        if (asset.code.length == 0) revert AssetHasNoCode(asset);
        uint256 decimals = _readUint(asset, abi.encodeCall(IERC20Metadata.decimals, ()));
        if (decimals > 36) revert NotAToken(asset); // unreadable reads as type(uint256).max
        _checkNotListed(asset);

        uint256 n = l.oracleConfig.sources.length;
        if (n == 0 || n > MAX_SOURCES) revert SourceCountOutOfRange(n, MAX_SOURCES);
        if (l.debtCeilingUsd == 0 || l.debtCeilingUsd > p.maxDebtCeilingUsd) {
            revert DebtCeilingOutOfRange(l.debtCeilingUsd, p.maxDebtCeilingUsd);
        }
        IMarginEngineTypes.CollateralParams calldata c = l.collateralParams;
        if (c.initialHaircutBps < p.minInitialHaircutBps) {
            revert HaircutBelowIsolation("initialHaircutBps", c.initialHaircutBps, p.minInitialHaircutBps);
        }
        if (c.maintHaircutBps < p.minMaintHaircutBps) {
            revert HaircutBelowIsolation("maintHaircutBps", c.maintHaircutBps, p.minMaintHaircutBps);
        }
        uint256 price = _highestPrice(asset, l.oracleConfig.sources);
        uint256 capUsd = Math.mulDiv(c.supplyCap, price, 10 ** decimals);
        if (capUsd > p.maxSupplyCapUsd) revert SupplyCapAboveIsolation(c.supplyCap, capUsd, p.maxSupplyCapUsd);
    }

    /// @dev Revert `AlreadyListed` when the engine, the Pool or the oracle lists `asset` (each view reverts for an
    /// asset it does not list).
    function _checkNotListed(address asset) private view {
        if (_answers(engine, abi.encodeCall(IMarginEngineAdmin.collateralParams, (asset)))) {
            revert AlreadyListed(asset, engine);
        }
        if (_answers(pool, abi.encodeCall(IPoolAdmin.assetParams, (asset)))) revert AlreadyListed(asset, pool);
        if (_answers(oracle, abi.encodeCall(IOracleAggregator.getPriceData, (asset)))) {
            revert AlreadyListed(asset, oracle);
        }
    }

    /// @dev Whether the view call `query` to `target` succeeds.
    function _answers(address target, bytes memory query) private view returns (bool ok) {
        (ok,) = target.staticcall(query);
    }

    /// @dev The first word `target` answers to the view call `query`, or type(uint256).max when it reverts or answers
    /// less than a word (no code, no such function).
    function _readUint(address target, bytes memory query) private view returns (uint256) {
        (bool ok, bytes memory answer) = target.staticcall(query);
        if (!ok || answer.length < 32) return type(uint256).max;
        return abi.decode(answer, (uint256));
    }

    /// @dev The highest price (WAD) among the sources' latest answers that are positive and within the source's
    /// bounds, as the oracle would count them (age aside); reverts `SourcesUnpriced` when there is none.
    function _highestPrice(address asset, IOracleAggregator.SourceConfig[] calldata sources)
        private
        view
        returns (uint256 highest)
    {
        for (uint256 i = 0; i < sources.length; ++i) {
            uint256 price = _sourcePrice(sources[i]);
            if (price > highest) highest = price;
        }
        if (highest == 0) revert SourcesUnpriced(asset);
    }

    /// @dev One source's latest answer as a WAD price, or 0 when it has no usable answer (a feed without code, that
    /// reverts or answers malformed data included: the proposal is then valued on the other sources).
    function _sourcePrice(IOracleAggregator.SourceConfig calldata src) private view returns (uint256) {
        uint256 decimals = _readUint(src.feed, abi.encodeCall(AggregatorV3Interface.decimals, ()));
        if (decimals > 36) return 0;
        (bool ok, bytes memory round) = src.feed.staticcall(abi.encodeCall(AggregatorV3Interface.latestRoundData, ()));
        if (!ok || round.length < 160) return 0;
        (, int256 answer,,,) = abi.decode(round, (uint80, int256, uint256, uint256, uint80));
        if (answer <= 0) return 0;
        uint256 raw = uint256(answer);
        if (raw < src.minAnswer || raw > src.maxAnswer) return 0;
        return decimals <= 18 ? raw * 10 ** (18 - decimals) : raw / 10 ** (decimals - 18);
    }

    function _listingBatch(uint256 id, Listing storage l)
        private
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt)
    {
        address asset = l.asset;
        targets = new address[](4);
        (targets[0], targets[1], targets[2], targets[3]) = (oracle, pool, engine, engine);
        values = new uint256[](4);
        payloads = new bytes[](4);
        payloads[0] = abi.encodeCall(IOracleAggregator.setAssetConfig, (asset, l.oracleConfig));
        payloads[1] = abi.encodeCall(IPoolAdmin.listAsset, (asset, l.poolParams));
        payloads[2] = abi.encodeCall(IMarginEngineGovernance.listCollateral, (asset, l.collateralParams));
        payloads[3] = abi.encodeCall(IMarginEngineGovernance.setCollateralIsolation, (asset, l.debtCeilingUsd));
        salt = keccak256(abi.encode(address(this), LISTING, id));
    }

    function _promotionBatch(Promotion memory promo)
        private
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt)
    {
        targets = new address[](2);
        (targets[0], targets[1]) = (engine, engine);
        values = new uint256[](2);
        payloads = new bytes[](2);
        payloads[0] = abi.encodeCall(IMarginEngineGovernance.setCollateralParams, (promo.asset, promo.params));
        payloads[1] = abi.encodeCall(IMarginEngineGovernance.setCollateralIsolation, (promo.asset, 0));
        salt = keccak256(abi.encode(address(this), PROMOTION, promo.number));
    }

    /// @dev `TimelockController.hashOperationBatch` with predecessor 0 (the timelock's own formula; the tests hold the
    /// two equal).
    function _hashBatch(address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(targets, values, payloads, bytes32(0), salt));
    }

    /// @dev Pay proposal `id`'s bond back to its proposer; the caller moved the proposal out of Pending or Approved
    /// first, so no path pays it twice.
    function _returnBond(uint256 id, Proposal storage s) private {
        (address proposer, uint256 bond) = (s.proposer, s.bond);
        emit BondReturned(id, proposer, bond);
        IERC20(bondToken).safeTransfer(proposer, bond);
    }

    function _requireStatus(uint256 id, Status status, Status required) private pure {
        if (status != required) revert WrongStatus(id, status, required);
    }

    function _requireExists(uint256 id, Status status) private pure {
        if (status == Status.None) revert WrongStatus(id, status, Status.Pending);
    }

    function _requireReviewOpen(uint256 id, uint256 deadline) private view {
        if (block.timestamp > deadline) revert ReviewClosed(id, deadline);
    }
}
