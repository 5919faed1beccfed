// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";

/// @title IOracleAggregator
/// @notice The only price source of ballast. Per asset it reads 1 to 8 Chainlink-compatible feeds, takes the
/// median of the fresh answers, keeps a TWAP from a ring buffer of cumulative observations, and derives a
/// status. Consumers read the values stored by the last `update` (one storage slot) and ask for the policy
/// price of the action they perform, so no consumer re-implements the price policy.
/// @dev Prices are 18-decimal USD per one whole token (WAD).
///
/// Freshness rule consumers rely on: a stored median is valid for `maxPriceAge` seconds after the `update`
/// that validated it; after that the status is `Stale` until the next successful `update`. At that update
/// every counted source answer was itself at most `heartbeat` seconds old, so a price a consumer accepts
/// reflects source data at most `heartbeat + maxPriceAge` seconds old.
///
/// Policy (docs/design.md#oracle-policy, docs/design.md#liveness), applied by the `priceFor*` views and `priceBounds`:
/// | action                          | Ok              | Deviated            | Stale   | Frozen            | WindDown |
/// | add risk / withdraw / LP        | worse of {median, TWAP} for the caller | reverts | reverts | reverts | reverts |
/// | value the Pool (LP mint/burn)   | {median, TWAP}  | reverts             | reverts | reverts           | wind-down price |
/// | reduce or close                 | worse for the trader | worse for the trader | reverts | as the sources' status | wind-down price |
/// | liquidate                       | better for the account | better for the account | reverts | as the sources' status | wind-down price |
/// | add collateral, repay           | needs no price  |                     |         |                   |          |
///
/// Liveness (docs/design.md#liveness): a freeze is the guardian's brake on new risk only and expires by itself after
/// `maxFreezeDuration`; closes and liquidations ignore it. An asset Stale for `windDownAfter` seconds may be wound down:
/// a price no higher than the last accepted median and no higher than what its sources report is proposed (by anyone at
/// that cap when a source reports, by the risk committee at or below it), and after `windDownDelay` it becomes the
/// asset's permanent price for closes, liquidations and the Pool's valuation, while new risk in it is refused for ever.
/// So an asset whose price left its feeds' bounds freezes no account for longer than
/// `windDownAfter + windDownDelay` after its last price expired.
interface IOracleAggregator is IErrors {
    /// @notice Health of an asset's price.
    /// @dev Ordered by precedence: WindDown beats Frozen beats Stale beats Deviated beats Ok.
    enum Status {
        Ok,
        Deviated,
        Stale,
        Frozen,
        WindDown
    }

    /// @notice What a consumer is about to do with a price; decides which statuses are accepted.
    /// @dev `Value`: the Pool valuing its reserves and traders' exposure for an LP mint or burn (an Ok price, or a
    /// wound-down asset's fixed price, so that a dead asset never blocks LP exits).
    enum Action {
        AddRisk,
        Reduce,
        Liquidate,
        Value
    }

    /// @notice Governed liveness bounds, in seconds.
    /// @param maxFreezeDuration Longest a freeze lasts before it expires by itself.
    /// @param windDownAfter How long an asset must have been Stale (counted from the expiry of its last accepted price)
    /// before a wind-down may be proposed.
    /// @param windDownDelay Time between a wind-down proposal and its execution.
    struct LivenessParams {
        uint32 maxFreezeDuration;
        uint32 windDownAfter;
        uint32 windDownDelay;
    }

    /// @notice A pending wind-down of an asset.
    /// @param price The proposed wind-down price (WAD); 0 when nothing is pending.
    /// @param proposedAt When it was proposed.
    /// @param executableAt When `executeWindDown` may run.
    struct WindDownProposal {
        uint96 price;
        uint32 proposedAt;
        uint32 executableAt;
    }

    /// @notice Why `update` did not count a source's answer.
    enum Exclusion {
        Reverted,
        Malformed,
        NonPositive,
        ZeroTimestamp,
        FutureTimestamp,
        Stale,
        OutOfBounds
    }

    /// @notice One Chainlink-compatible source of an asset.
    /// @param feed The AggregatorV3Interface feed.
    /// @param heartbeat An answer older than this many seconds is not fresh.
    /// @param minAnswer Smallest answer accepted, in the feed's own decimals (inclusive, > 0).
    /// @param maxAnswer Largest answer accepted, in the feed's own decimals (inclusive).
    struct SourceConfig {
        address feed;
        uint32 heartbeat;
        uint128 minAnswer;
        uint128 maxAnswer;
    }

    /// @notice Governed configuration of one asset.
    /// @param sources 1 to 8 feeds.
    /// @param quorum Fresh answers needed for a valid median (1 to the number of sources).
    /// @param maxDispersionBps Largest (max - min) / median among fresh answers before the status is Deviated.
    /// @param maxDeviationBps Largest |median - TWAP| / TWAP before the status is Deviated.
    /// @param twapWindow Seconds of the TWAP stored at each update (at least `minTwapWindow`).
    /// @param maxPriceAge Seconds a stored median stays valid (the freshness rule).
    /// @param bufferSize Observations kept in the ring buffer (`MIN_BUFFER_SIZE` to `MAX_BUFFER_SIZE`). A full ring
    /// never drops the observation that starts the TWAP window: the newest slot moves forward instead, so the stored
    /// TWAP spans at least `twapWindow` however often `update` is called.
    struct AssetConfig {
        SourceConfig[] sources;
        uint8 quorum;
        uint16 maxDispersionBps;
        uint16 maxDeviationBps;
        uint32 twapWindow;
        uint32 maxPriceAge;
        uint16 bufferSize;
    }

    /// @notice Everything a consumer needs about an asset's price, as of the last update.
    struct PriceData {
        uint256 median;
        uint256 twap;
        Status status;
        uint256 updatedAt;
    }

    /// @notice A cumulative TWAP observation: sum of price * seconds up to `timestamp`.
    struct Observation {
        uint32 timestamp;
        uint224 cumulative;
    }

    // ---------------------------------------------------------------- errors

    /// @notice `asset` has no configuration.
    error AssetNotListed(address asset);
    /// @notice A configuration lists `count` sources; 1 to `max` are allowed.
    error InvalidSourceCount(uint256 count, uint256 max);
    /// @notice A source's feed is the zero address, or is listed twice.
    error InvalidFeed(uint256 index, address feed);
    /// @notice A source's heartbeat is zero.
    error InvalidHeartbeat(uint256 index, uint32 heartbeat);
    /// @notice A source's bounds are empty, start at zero, or normalize above the largest storable price.
    error InvalidBounds(uint256 index, uint128 minAnswer, uint128 maxAnswer);
    /// @notice A feed reports more than 36 decimals.
    error InvalidDecimals(uint256 index, uint8 decimals);
    /// @notice The quorum is zero or larger than the number of sources.
    error InvalidQuorum(uint8 quorum, uint256 sourceCount);
    /// @notice A basis-point bound is zero or above 100 %.
    error InvalidBps(uint16 value);
    /// @notice A TWAP window is shorter than the minimum.
    error WindowTooShort(uint32 window, uint32 minWindow);
    /// @notice A TWAP span ending at `end`, after the current time `timestamp`.
    error TwapEndInFuture(uint32 end, uint256 timestamp);
    /// @notice The ring buffer size is outside [min, max].
    error InvalidBufferSize(uint16 size, uint16 min, uint16 max);
    /// @notice The maximum price age is zero.
    error InvalidMaxPriceAge(uint32 maxPriceAge);
    /// @notice The status of `asset` forbids `action`.
    error PriceUnavailable(address asset, Action action, Status status);
    /// @notice The asset is already in the requested freeze state.
    error FreezeUnchanged(address asset, bool frozen);
    /// @notice The guardian may freeze `asset` again only from `allowedAt`: one guardian freeze lasts at most
    /// `maxFreezeDuration` and the next may start that long after it ended (only governance renews a freeze).
    error FreezeTooSoon(address asset, uint256 allowedAt);
    /// @notice A freeze of `duration` seconds is longer than `maxFreezeDuration` (`max`) or zero.
    error InvalidFreezeDuration(uint256 duration, uint256 max);
    /// @notice `asset` has been Stale for `staleFor` seconds; a wind-down needs `required`.
    error NotStaleLongEnough(address asset, uint256 staleFor, uint256 required);
    /// @notice A wind-down price of `price` is zero or above `cap` (the last accepted median, or what the sources report
    /// if lower).
    error WindDownPriceAboveCap(address asset, uint256 price, uint256 cap);
    /// @notice No source of `asset` reports a positive price: only the risk committee may propose a wind-down price.
    error NoSourceReport(address asset);
    /// @notice A wind-down of `asset` is already pending, executable at `executableAt`.
    error WindDownPending(address asset, uint256 executableAt);
    /// @notice No valid wind-down of `asset` is pending (none was proposed, it was cancelled, or the asset got a fresh
    /// price after the proposal).
    error NoWindDownPending(address asset);
    /// @notice The wind-down of `asset` may execute from `executableAt`.
    error WindDownNotReady(address asset, uint256 executableAt);
    /// @notice `asset` is wound down: its price is fixed for ever and `update` has nothing to do.
    error AssetWoundDown(address asset);
    /// @notice A source call failed while too little gas was left to tell a broken source from a starved one.
    error InsufficientGasForSources(uint256 gasLeft);
    /// @notice The minimum TWAP window given at deployment is zero.
    error InvalidMinTwapWindow();

    // ---------------------------------------------------------------- events

    /// @notice `asset` was listed or reconfigured (the observation buffer restarts when its size changes).
    event AssetConfigured(address indexed asset, AssetConfig config);
    /// @notice A source's answer was not counted by `update`.
    event SourceExcluded(
        address indexed asset, address indexed feed, Exclusion reason, int256 answer, uint256 updatedAt
    );
    /// @notice `update` recorded an observation.
    /// @param median The median stored now (unchanged from before when the quorum was not met).
    /// @param twap The TWAP over the configured window, ending now.
    /// @param cumulative The cumulative price * seconds recorded.
    /// @param freshSources How many sources gave a fresh answer.
    /// @param status The status right after the update.
    event PriceUpdated(
        address indexed asset, uint256 median, uint256 twap, uint256 cumulative, uint256 freshSources, Status status
    );
    /// @notice `asset` was frozen until `until` (`frozen` true) or unfrozen, by `by` (the guardian or governance).
    event FreezeSet(address indexed asset, bool frozen, address indexed by, uint256 until);
    /// @notice Governance set the liveness bounds.
    event LivenessParamsSet(LivenessParams params);
    /// @notice A wind-down of `asset` at `price` was proposed by `by`, executable at `executableAt`.
    event WindDownProposed(address indexed asset, uint256 price, uint256 executableAt, address indexed by);
    /// @notice A pending wind-down of `asset` was cancelled by `by`.
    event WindDownCancelled(address indexed asset, address indexed by);
    /// @notice `asset` is wound down at `price`: its permanent price for closes, liquidations and the Pool's valuation.
    event WoundDown(address indexed asset, uint256 price);

    // ---------------------------------------------------------------- actions

    /// @notice Read the sources of `asset`, store the median of the fresh answers and record a TWAP observation.
    /// @dev Permissionless. Never reverts for a failing source: it is excluded with a `SourceExcluded` event. When
    /// fewer than `quorum` answers are fresh, the stored median is kept and the status becomes `Stale`. A second
    /// call in the same block records no new observation (a price set in the current block has no TWAP weight).
    /// The stored TWAP runs from the newest observation at or before `now - twapWindow` (or the oldest one held, while
    /// the history is shorter) to now, so it spans at least the window once that much history exists.
    /// @return data The stored values and status after the update.
    function update(address asset) external returns (PriceData memory data);

    /// @notice List or reconfigure `asset`. Governance (the timelock) only.
    function setAssetConfig(address asset, AssetConfig calldata config) external;

    /// @notice Freeze `asset` for `maxFreezeDuration` (`frozen = true`) or lift a freeze. Guardian only. A freeze stops
    /// new risk in the asset and LP mint/burn; closes and liquidations follow the sources' own status. The guardian may
    /// not chain freezes: the next may start `maxFreezeDuration` after the previous one ended.
    function setFrozen(address asset, bool frozen) external;

    /// @notice Freeze (or renew the freeze of) `asset` for `duration` seconds, at most `maxFreezeDuration`.
    /// Governance (the timelock) only.
    function freezeFor(address asset, uint256 duration) external;

    /// @notice Set the liveness bounds. Governance only. Bounds: maxFreezeDuration 1 hour to 7 days, windDownAfter
    /// 1 hour to 30 days, windDownDelay 10 minutes to 7 days.
    function setLivenessParams(LivenessParams calldata params) external;

    /// @notice Propose winding `asset` down at the cap: the lower of its last accepted median and the median of what its
    /// sources report now (positive answers, whatever their age or bounds). Permissionless; needs the asset Stale for
    /// `windDownAfter` seconds, at least one source reporting, and no pending proposal.
    function proposeWindDown(address asset) external;

    /// @notice Propose (or replace a pending proposal with) a wind-down of `asset` at `price`, at most the cap of
    /// `proposeWindDown`. Risk committee only; needs the asset Stale for `windDownAfter` seconds.
    function proposeWindDownPrice(address asset, uint256 price) external;

    /// @notice Cancel a pending wind-down of `asset`. Governance or the risk committee.
    function cancelWindDown(address asset) external;

    /// @notice Wind `asset` down: permissionless once the proposal's delay has passed while the asset stayed Stale. The
    /// price is the proposed one, or the cap now if lower; it becomes the asset's median and TWAP for ever.
    function executeWindDown(address asset) external;

    // ---------------------------------------------------------------- views

    /// @notice Smallest TWAP window accepted, in seconds.
    function minTwapWindow() external view returns (uint32);

    /// @notice The stored median, the stored TWAP, the status and the time of the last update, in one read.
    function getPriceData(address asset) external view returns (PriceData memory data);

    /// @notice The stored median of `asset`.
    function median(address asset) external view returns (uint256);

    /// @notice The current status of `asset`.
    function status(address asset) external view returns (Status);

    /// @notice The status the sources themselves give `asset`, ignoring a freeze: what closes and liquidations follow.
    function sourceStatus(address asset) external view returns (Status);

    /// @notice When the current (or last) freeze of `asset` ends; 0 if it was never frozen.
    function frozenUntil(address asset) external view returns (uint256);

    /// @notice The liveness bounds.
    function livenessParams() external view returns (LivenessParams memory);

    /// @notice Seconds `asset` has been Stale, counted from the expiry of its last accepted price (0 if not Stale).
    function staleFor(address asset) external view returns (uint256);

    /// @notice The pending wind-down of `asset` (price 0: none).
    function windDownProposal(address asset) external view returns (WindDownProposal memory);

    /// @notice The highest wind-down price allowed now and whether a source reports a price.
    function windDownCap(address asset) external view returns (uint256 cap, bool reported);

    /// @notice Time-weighted average price over the last `window` seconds, ending now.
    /// @dev The stored median is weighted from its update until now. When the buffer holds less history than
    /// `window`, the average covers the history it holds. A window starting between two observations is
    /// interpolated linearly: exact when one price held between them, their average price when the later slot was
    /// moved forward over several updates (see `bufferSize`). Reverts below `minTwapWindow`.
    function twap(address asset, uint32 window) external view returns (uint256);

    /// @notice Time-weighted average price over the `window` seconds ending at `end` (now or in the past), whether
    /// the buffer still holds that whole span, and how much of it lies between two observations.
    /// @dev The same interpolation as `twap`, between the cumulative values at `end - window` and at `end` (the stored
    /// median extends the newest observation up to `end`). `complete` is false when the span starts before the oldest
    /// observation held (the ring moved on, or the history is shorter): the average then covers the part held, or is
    /// the stored median when none of the span is held; a consumer that needs that exact span must not use it.
    /// `observed` is the seconds of the span the average covers that lie between the oldest and the newest
    /// observation that later updates cannot move: the part they cannot change (the stored median extending the newest
    /// observation is not observed: a wind-down replaces it; nor, in a full ring, the span after the observation
    /// before the newest, whose slot an update may move forward in place). `observed == window` (for `end >= window`) when the ring holds the whole
    /// span and an update at or after `end` closed it: the average is final. 0 when the average is the stored median.
    /// Reverts below `minTwapWindow` and for an `end` after now.
    function twapEndingAt(address asset, uint32 window, uint32 end)
        external
        view
        returns (uint256 price, bool complete, uint32 observed);

    /// @notice Price for a caller about to add risk (open or increase, withdraw collateral, LP mint or burn).
    /// @param longExposure True when the caller gains from a higher price (collateral, a long position).
    /// @return price The worse of {median, TWAP} for the caller. Reverts unless the status is `Ok`.
    function priceForRisk(address asset, bool longExposure) external view returns (uint256 price);

    /// @notice Price for reducing or closing a position: worse for the trader. Reverts if the sources' status is
    /// `Stale` (a freeze does not apply); a wound-down asset's fixed price.
    function priceForReduce(address asset, bool longExposure) external view returns (uint256 price);

    /// @notice Price for judging and executing a liquidation: better for the account. Reverts if the sources' status
    /// is `Stale` (a freeze does not apply); a wound-down asset's fixed price.
    function priceForLiquidation(address asset, bool longExposure) external view returns (uint256 price);

    /// @notice Lower and upper of {median, TWAP} after checking that `action` is allowed.
    function priceBounds(address asset, Action action) external view returns (uint256 low, uint256 high);

    /// @notice The configuration of `asset`.
    function getAssetConfig(address asset) external view returns (AssetConfig memory config);

    /// @notice The observation at ring-buffer position `index` of `asset`.
    function observation(address asset, uint256 index) external view returns (Observation memory);

    /// @notice Position of the newest observation and how many observations the buffer holds.
    function observationState(address asset) external view returns (uint16 newestIndex, uint16 count);
}
