// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";
import {IMarginEngineTypes} from "./IMarginEngine.sol";
import {IOracleAggregator} from "./IOracleAggregator.sol";
import {IPoolTypes} from "./IPool.sol";

/// @title IAssetOnboarding
/// @notice Lists a new collateral asset through the risk committee and the timelock. Anyone proposes an asset with
/// its oracle sources, its Pool and collateral parameters, an isolation debt ceiling and a bond in the settlement asset;
/// the risk committee approves (which schedules the listing on the BallastTimelock) or rejects it before the review
/// deadline; once the timelock executed the listing, `finalize` returns the bond. A rejected, expired or cancelled
/// proposal returns the bond too: the bond is never kept, it only makes a proposal cost its proposer the use of the
/// money until the decision.
/// @dev A listing is one timelock batch, in this order:
///   1. `OracleAggregator.setAssetConfig(asset, oracleConfig)`
///   2. `Pool.listAsset(asset, poolParams)`
///   3. `MarginEngine.listCollateral(asset, collateralParams)`
///   4. `MarginEngine.setCollateralIsolation(asset, debtCeilingUsd)`
/// so a new asset starts isolated: a small supply cap, haircuts at least the isolation minimums, and a debt ceiling on
/// what accounts holding it may borrow or open (`IMarginEngineGovernance.setCollateralIsolation`: new risk of an
/// account holding it counts against the ceiling). Promotion to full collateral is a second batch the committee
/// schedules (`proposePromotion`): `MarginEngine.setCollateralParams(asset, params)`, then
/// `setCollateralIsolation(asset, 0)`.
/// This contract must hold the timelock's PROPOSER_ROLE (to schedule) and CANCELLER_ROLE (to cancel what it
/// scheduled); executing is the timelock executors' job (`listingBatch` and `promotionBatch` give the arguments of
/// `executeBatch`). `propose` checks only what is cheap to check; the oracle, the Pool and the engine check everything
/// again when the timelock executes the batch.
interface IAssetOnboarding is IErrors {
    /// @notice Where a proposal stands. `None`: no such proposal. A `Pending` proposal past its deadline is expired in
    /// effect; `reclaim` records it as `Expired`.
    enum Status {
        None,
        Pending,
        Approved,
        Rejected,
        Expired,
        Cancelled,
        Listed
    }

    /// @notice Everything a listing sets.
    /// @param asset The token to list.
    /// @param oracleConfig Its oracle sources and parameters (`IOracleAggregator.setAssetConfig`).
    /// @param poolParams Its Pool parameters (`IPoolAdmin.listAsset`).
    /// @param collateralParams Its collateral parameters while isolated (`IMarginEngineAdmin.listCollateral`).
    /// @param debtCeilingUsd The isolation debt ceiling, USD (WAD): at least 1 and at most `maxDebtCeilingUsd`.
    struct Listing {
        address asset;
        IOracleAggregator.AssetConfig oracleConfig;
        IPoolTypes.AssetParams poolParams;
        IMarginEngineTypes.CollateralParams collateralParams;
        uint256 debtCeilingUsd;
    }

    /// @notice A proposal.
    /// @param proposer Who posted the bond, and gets it back.
    /// @param deadline The last second at which the committee may approve or reject.
    /// @param status Where it stands.
    /// @param bond Settlement units held (still recorded after they were returned).
    /// @param operationId The timelock operation of the listing, once approved.
    /// @param listing What the listing sets.
    struct Proposal {
        address proposer;
        uint48 deadline;
        Status status;
        uint256 bond;
        bytes32 operationId;
        Listing listing;
    }

    /// @notice A promotion the committee scheduled.
    /// @param asset The collateral promoted.
    /// @param number Which promotion this is, counting from 1 (its salt derives from it).
    /// @param params The collateral parameters it sets.
    struct Promotion {
        address asset;
        uint96 number;
        IMarginEngineTypes.CollateralParams params;
    }

    /// @notice Governed parameters (the timelock sets them).
    /// @param minBond Smallest bond, settlement units: 1 to a billion whole tokens.
    /// @param reviewPeriod Seconds the committee has to decide: 1 to 30 days.
    /// @param minInitialHaircutBps Smallest initial haircut of a new listing: `minMaintHaircutBps` to 9,500.
    /// @param minMaintHaircutBps Smallest maintenance haircut of a new listing: 0 to 9,000.
    /// @param maxSupplyCapUsd Largest supply cap of a new listing, valued at the highest price its sources report, USD
    /// (WAD): 1 to 1e9 USD.
    /// @param maxDebtCeilingUsd Largest isolation debt ceiling of a new listing, USD (WAD): 1 to 1e9 USD.
    struct OnboardingParams {
        uint128 minBond;
        uint32 reviewPeriod;
        uint16 minInitialHaircutBps;
        uint16 minMaintHaircutBps;
        uint128 maxSupplyCapUsd;
        uint128 maxDebtCeilingUsd;
    }

    // ---------------------------------------------------------------- errors

    /// @notice The asset to list has no code.
    error AssetHasNoCode(address asset);
    /// @notice The asset does not answer `decimals()` with at most 36.
    error NotAToken(address asset);
    /// @notice `asset` is already listed by `listedBy` (the MarginEngine, the Pool or the OracleAggregator).
    error AlreadyListed(address asset, address listedBy);
    /// @notice A listing names `count` oracle sources; 1 to `max` are allowed.
    error SourceCountOutOfRange(uint256 count, uint256 max);
    /// @notice The debt ceiling `debtCeilingUsd` is zero or above `maxUsd`.
    error DebtCeilingOutOfRange(uint256 debtCeilingUsd, uint256 maxUsd);
    /// @notice The haircut `name` = `value` is below the isolation minimum `min`.
    error HaircutBelowIsolation(bytes32 name, uint256 value, uint256 min);
    /// @notice The supply cap `supplyCap` (token units) is worth `valueUsd`, above the isolation maximum `maxUsd`.
    error SupplyCapAboveIsolation(uint256 supplyCap, uint256 valueUsd, uint256 maxUsd);
    /// @notice No source of `asset` reports a positive price within its bounds, so the supply cap cannot be valued.
    error SourcesUnpriced(address asset);
    /// @notice The bond `bond` is below the minimum `minBond`.
    error BondBelowMinimum(uint256 bond, uint256 minBond);
    /// @notice The bond token delivered `received` of the `bond` pulled (a fee-on-transfer token cannot be a bond).
    error BondShortDelivered(uint256 bond, uint256 received);
    /// @notice Proposal `id` is `status`; the call needs `required`.
    error WrongStatus(uint256 id, Status status, Status required);
    /// @notice The review of proposal `id` ended at `deadline`: the committee can no longer decide.
    error ReviewClosed(uint256 id, uint256 deadline);
    /// @notice The review of proposal `id` runs until `deadline`: the bond comes back only after it.
    error ReviewOpen(uint256 id, uint256 deadline);
    /// @notice Proposal `id`, an approved listing of `asset`, is queued in the timelock and not finalized yet.
    error ListingQueued(address asset, uint256 id);
    /// @notice The timelock has not executed the listing of proposal `id` (operation `operationId`, ready at
    /// `readyAt`).
    error ListingNotExecuted(uint256 id, bytes32 operationId, uint256 readyAt);
    /// @notice `asset` is not a collateral of the MarginEngine.
    error NotCollateral(address asset);
    /// @notice Collateral `asset` is not isolated (its debt ceiling is 0): it is full collateral already.
    error NotIsolated(address asset);
    /// @notice `operationId` is not a promotion this contract scheduled.
    error UnknownPromotion(bytes32 operationId);
    /// @notice A call came back into this contract while one of its entry points was running.
    error Reentered();

    // ---------------------------------------------------------------- events

    /// @notice `proposer` proposed listing `asset` as proposal `id`, with a bond of `bond` settlement units; the
    /// committee may decide until `deadline`.
    event Proposed(
        uint256 indexed id,
        address indexed asset,
        address indexed proposer,
        uint256 bond,
        uint256 deadline,
        Listing listing
    );
    /// @notice The committee approved proposal `id`: the listing of `asset` is the timelock operation `operationId`
    /// (salt `salt`), executable from `readyAt`.
    event Approved(
        uint256 indexed id, address indexed asset, bytes32 indexed operationId, bytes32 salt, uint256 readyAt
    );
    /// @notice The committee rejected proposal `id` for `reason`.
    event Rejected(uint256 indexed id, address indexed asset, bytes32 reason);
    /// @notice Proposal `id` expired undecided.
    event Expired(uint256 indexed id, address indexed asset);
    /// @notice The approved listing of proposal `id` (operation `operationId`) was cancelled in the timelock.
    event ListingCancelled(uint256 indexed id, address indexed asset, bytes32 indexed operationId);
    /// @notice The timelock executed the listing of proposal `id` (operation `operationId`): `asset` is listed,
    /// isolated.
    event Listed(uint256 indexed id, address indexed asset, bytes32 indexed operationId);
    /// @notice `amount` settlement units of proposal `id`'s bond went back to `proposer`.
    event BondReturned(uint256 indexed id, address indexed proposer, uint256 amount);
    /// @notice The committee scheduled promotion `operationId` (salt `salt`) of `asset` to full collateral with
    /// `params`, executable from `readyAt`.
    event PromotionProposed(
        address indexed asset,
        bytes32 indexed operationId,
        IMarginEngineTypes.CollateralParams params,
        bytes32 salt,
        uint256 readyAt
    );
    /// @notice The committee cancelled promotion `operationId` of `asset` in the timelock.
    event PromotionCancelled(address indexed asset, bytes32 indexed operationId);
    /// @notice The governed parameters are now `params`.
    event ParamsSet(OnboardingParams params);

    // ---------------------------------------------------------------- proposals

    /// @notice Propose listing `listing.asset`, pulling `bond` settlement units from the caller (approve them first).
    /// Permissionless. Reverts unless the asset is a token with code that the MarginEngine, the Pool and the oracle do not
    /// list, the listing names 1 to 8 sources, its debt ceiling is 1 to `maxDebtCeilingUsd`, its haircuts are at least
    /// the isolation minimums, its supply cap, valued at the highest price its sources report within their bounds, is at
    /// most `maxSupplyCapUsd`, and `bond` is at least `minBond` and arrives in full.
    /// @return id The proposal's number, counting from 1.
    function propose(Listing calldata listing, uint256 bond) external returns (uint256 id);

    /// @notice Approve proposal `id`: schedule its listing batch on the timelock with the timelock's minimum delay and
    /// a salt derived from `id`. Risk committee only; the proposal must be Pending, at or before its deadline, its asset
    /// still unlisted and no other listing of it queued.
    /// @return operationId The timelock operation.
    function approve(uint256 id) external returns (bytes32 operationId);

    /// @notice Reject proposal `id` for `reason` and return its bond at once. Risk committee only; the proposal must be
    /// Pending, at or before its deadline.
    function reject(uint256 id, bytes32 reason) external;

    /// @notice Record proposal `id` as Expired and return its bond to its proposer. Permissionless; the proposal must
    /// be Pending and its deadline passed.
    function reclaim(uint256 id) external;

    /// @notice Close approved proposal `id` and return its bond: `Listed` once the timelock executed the listing,
    /// `Cancelled` if its operation was cancelled in the timelock. Permissionless; reverts `ListingNotExecuted` while
    /// the operation waits.
    /// @return status The status it closed with.
    function finalize(uint256 id) external returns (Status status);

    /// @notice Cancel the queued listing of approved proposal `id` in the timelock (before it is executed) and return
    /// its bond. Risk committee only.
    function cancel(uint256 id) external;

    // ---------------------------------------------------------------- promotions

    /// @notice Schedule the promotion of collateral `asset` to full collateral: `setCollateralParams(asset, params)`
    /// then `setCollateralIsolation(asset, 0)`, with the timelock's minimum delay. Risk committee only; `asset` must be
    /// an isolated collateral of the MarginEngine.
    /// @return operationId The timelock operation.
    function proposePromotion(address asset, IMarginEngineTypes.CollateralParams calldata params)
        external
        returns (bytes32 operationId);

    /// @notice Cancel promotion `operationId` in the timelock before it is executed. Risk committee only.
    function cancelPromotion(bytes32 operationId) external;

    // ---------------------------------------------------------------- governance

    /// @notice Set the governed parameters. Governance (the timelock) only; bounds as in `OnboardingParams`.
    function setParams(OnboardingParams calldata params) external;

    // ---------------------------------------------------------------- views

    /// @notice Proposal `id` (status `None` for a number never used).
    function proposal(uint256 id) external view returns (Proposal memory);

    /// @notice How many proposals were made (the last id).
    function proposalCount() external view returns (uint256);

    /// @notice The approved proposal whose listing of `asset` is queued and not finalized (0: none).
    function queuedListing(address asset) external view returns (uint256 id);

    /// @notice The timelock batch of proposal `id`'s listing: the arguments of `scheduleBatch` and `executeBatch`
    /// (predecessor 0).
    function listingBatch(uint256 id)
        external
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt);

    /// @notice Promotion `operationId` (asset 0: not one this contract scheduled).
    function promotion(bytes32 operationId) external view returns (Promotion memory);

    /// @notice How many promotions were scheduled.
    function promotionCount() external view returns (uint256);

    /// @notice The timelock batch of promotion `operationId` (predecessor 0).
    function promotionBatch(bytes32 operationId)
        external
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory payloads, bytes32 salt);

    /// @notice The governed parameters.
    function params() external view returns (OnboardingParams memory);

    /// @notice The bond token: the Pool's settlement asset.
    function bondToken() external view returns (address);

    /// @notice The BallastTimelock the listings are scheduled on.
    function timelock() external view returns (address);

    /// @notice The OracleAggregator, the Pool and the MarginEngine a listing configures.
    function oracle() external view returns (address);

    function pool() external view returns (address);

    function engine() external view returns (address);
}
