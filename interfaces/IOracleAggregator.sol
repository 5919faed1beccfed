// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

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
/// Policy (DESIGN section 5), applied by the `priceFor*` views:
/// | action                          | Ok              | Deviated            | Stale / Frozen |
/// | add risk / withdraw / LP        | worse of {median, TWAP} for the caller | reverts | reverts |
/// | reduce or close                 | worse for the trader | worse for the trader | reverts |
/// | liquidate                       | better for the account | better for the account | reverts |
/// | add collateral, repay           | needs no price  |                     |                |
interface IOracleAggregator {
    /// @notice Health of an asset's price.
    /// @dev Ordered by precedence: Frozen beats Stale beats Deviated beats Ok.
    enum Status {
        Ok,
        Deviated,
        Stale,
        Frozen
    }

    /// @notice What a consumer is about to do with a price; decides which statuses are accepted.
    enum Action {
        AddRisk,
        Reduce,
        Liquidate
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
    /// @notice The ring buffer size is outside [min, max].
    error InvalidBufferSize(uint16 size, uint16 min, uint16 max);
    /// @notice The maximum price age is zero.
    error InvalidMaxPriceAge(uint32 maxPriceAge);
    /// @notice The status of `asset` forbids `action`.
    error PriceUnavailable(address asset, Action action, Status status);
    /// @notice The asset is already in the requested freeze state.
    error FreezeUnchanged(address asset, bool frozen);
    /// @notice A source call failed while too little gas was left to tell a broken source from a starved one.
    error InsufficientGasForSources(uint256 gasLeft);
    /// @notice The minimum TWAP window given at deployment is zero.
    error InvalidMinTwapWindow();

    // ---------------------------------------------------------------- events

    /// @notice `asset` was listed or reconfigured (the observation buffer restarts when its size changes).
    event AssetConfigured(address indexed asset, AssetConfig config);
    /// @notice A source's answer was not counted by `update`.
    event SourceExcluded(address indexed asset, address indexed feed, Exclusion reason, int256 answer, uint256 updatedAt);
    /// @notice `update` recorded an observation.
    /// @param median The median stored now (unchanged from before when the quorum was not met).
    /// @param twap The TWAP over the configured window, ending now.
    /// @param cumulative The cumulative price * seconds recorded.
    /// @param freshSources How many sources gave a fresh answer.
    /// @param status The status right after the update.
    event PriceUpdated(
        address indexed asset, uint256 median, uint256 twap, uint256 cumulative, uint256 freshSources, Status status
    );
    /// @notice The guardian froze or unfroze `asset`.
    event FreezeSet(address indexed asset, bool frozen, address indexed guardian);

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

    /// @notice Freeze (`frozen = true`) or unfreeze `asset`. Guardian only.
    function setFrozen(address asset, bool frozen) external;

    // ---------------------------------------------------------------- views

    /// @notice Smallest TWAP window accepted, in seconds.
    function minTwapWindow() external view returns (uint32);

    /// @notice The stored median, the stored TWAP, the status and the time of the last update, in one read.
    function getPriceData(address asset) external view returns (PriceData memory data);

    /// @notice The stored median of `asset`.
    function median(address asset) external view returns (uint256);

    /// @notice The current status of `asset`.
    function status(address asset) external view returns (Status);

    /// @notice Time-weighted average price over the last `window` seconds, ending now.
    /// @dev The stored median is weighted from its update until now. When the buffer holds less history than
    /// `window`, the average covers the history it holds. A window starting between two observations is
    /// interpolated linearly: exact when one price held between them, their average price when the later slot was
    /// moved forward over several updates (see `bufferSize`). Reverts below `minTwapWindow`.
    function twap(address asset, uint32 window) external view returns (uint256);

    /// @notice Price for a caller about to add risk (open or increase, withdraw collateral, LP mint or burn).
    /// @param longExposure True when the caller gains from a higher price (collateral, a long position).
    /// @return price The worse of {median, TWAP} for the caller. Reverts unless the status is `Ok`.
    function priceForRisk(address asset, bool longExposure) external view returns (uint256 price);

    /// @notice Price for reducing or closing a position: worse for the trader. Reverts if `Stale` or `Frozen`.
    function priceForReduce(address asset, bool longExposure) external view returns (uint256 price);

    /// @notice Price for judging and executing a liquidation: better for the account. Reverts if `Stale` or `Frozen`.
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
