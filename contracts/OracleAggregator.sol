// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {MedianLib} from "./libraries/MedianLib.sol";
import {ObservationLib} from "./libraries/ObservationLib.sol";
import {CONFIG_WORDS, OracleConfigLib} from "./libraries/OracleConfigLib.sol";
import {OracleSourceSet} from "./oracles/OracleSourceSet.sol";
import {Roles} from "./base/Roles.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";

/// @title OracleAggregator
/// @notice Median of several Chainlink-compatible feeds per asset, a TWAP over a ring buffer of cumulative
/// observations, a status, and the price policy every consumer applies.
contract OracleAggregator is IOracleAggregator, Roles {
    using ObservationLib for Observation[512];

    /// @notice Most sources per asset.
    uint256 public constant MAX_SOURCES = 8;
    /// @notice Smallest observation ring buffer: with two slots the newest would absorb every update and the TWAP
    /// would average over all time since the oldest; three keep its span between one and two windows.
    uint16 public constant MIN_BUFFER_SIZE = 3;
    /// @notice Largest observation ring buffer.
    uint16 public constant MAX_BUFFER_SIZE = 512;
    /// @notice Gas given to each source call; a source that needs more counts as reverted.
    uint256 public constant SOURCE_GAS_LIMIT = 100_000;
    /// @dev Gas left before a source call that guarantees the call gets all of SOURCE_GAS_LIMIT: EIP-150 forwards at
    /// most 63/64 of what remains after the call's own cost (up to 2,600 for a cold feed) and the calldata encoding.
    uint256 private constant SOURCE_CALL_GAS_NEEDED = SOURCE_GAS_LIMIT * 64 / 63 + 5_000;

    uint8 private constant FLAG_FROZEN = 1;
    uint8 private constant FLAG_QUORUM_LOST = 2;
    uint8 private constant FLAG_DISPERSED = 4;
    uint8 private constant FLAG_DEVIATED = 8;
    uint8 private constant FLAG_WOUND_DOWN = 16;

    uint32 private constant MIN_FREEZE = 1 hours;
    uint32 private constant MAX_FREEZE = 7 days;
    uint32 private constant MIN_WIND_DOWN_AFTER = 1 hours;
    uint32 private constant MAX_WIND_DOWN_AFTER = 30 days;
    uint32 private constant MIN_WIND_DOWN_DELAY = 10 minutes;
    uint32 private constant MAX_WIND_DOWN_DELAY = 7 days;

    /// @dev One storage slot: all a consumer reads.
    struct PriceSlot {
        uint96 median;
        uint96 twap;
        uint32 updatedAt;
        uint24 maxPriceAge;
        uint8 flags;
    }

    /// @dev One storage slot: where the configuration lives and where the ring buffer stands. `windowStart` is the
    /// newest observation at or before `now - twapWindow` as of the last update (or the oldest one held).
    struct AssetSlot {
        OracleSourceSet sourceSet;
        uint16 bufferSize;
        uint16 newest;
        uint16 count;
        uint16 windowStart;
    }

    /// @inheritdoc IOracleAggregator
    uint32 public immutable minTwapWindow;

    mapping(address asset => PriceSlot) private _prices;
    mapping(address asset => AssetSlot) private _assets;
    mapping(address asset => Observation[512]) private _observations;
    /// @dev When each asset's freeze ends (read only when the price slot's frozen flag is set).
    mapping(address asset => uint32) private _frozenUntil;
    mapping(address asset => WindDownProposal) private _windDowns;
    LivenessParams private _liveness;

    /// @param admin Governance (the timelock): configures assets and grants roles.
    /// @param guardian May freeze and unfreeze assets.
    /// @param minTwapWindow_ Smallest TWAP window any configuration or query may use, in seconds.
    constructor(address admin, address guardian, uint32 minTwapWindow_) {
        if (minTwapWindow_ == 0) revert InvalidMinTwapWindow();
        minTwapWindow = minTwapWindow_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setLivenessParams(LivenessParams(1 days, 1 days, 1 hours));
    }

    // ---------------------------------------------------------------- update

    /// @inheritdoc IOracleAggregator
    function update(address asset) external returns (PriceData memory data) {
        AssetSlot memory slot = _assets[asset];
        if (address(slot.sourceSet) == address(0)) revert AssetNotListed(asset);
        uint256[CONFIG_WORDS] memory config = slot.sourceSet.words();
        OracleConfigLib.Header memory h = OracleConfigLib.header(config);
        PriceSlot memory price = _prices[asset];
        if (price.flags & FLAG_WOUND_DOWN != 0) revert AssetWoundDown(asset);

        (uint256[8] memory answers, uint256 fresh) = _readSources(asset, config, h.sourceCount);
        uint256 heldPrice = price.median; // the price that held since the newest observation
        // A freeze that has expired is dropped here, so later reads need not look up its end.
        uint8 flags = price.flags & FLAG_FROZEN != 0 && _freezeActive(asset) ? FLAG_FROZEN : 0;
        if (fresh < h.quorum) {
            flags |= FLAG_QUORUM_LOST;
        } else {
            MedianLib.sortAscending(answers, fresh);
            price.median = uint96(MedianLib.medianOfSorted(answers, fresh));
            price.updatedAt = uint32(block.timestamp);
            if (MedianLib.exceedsSpreadBps(answers, fresh, price.median, h.maxDispersionBps)) {
                flags |= FLAG_DISPERSED;
            }
        }

        uint256 cumulative;
        if (price.median != 0) {
            (price.twap, cumulative) = _observe(asset, slot, h.twapWindow, heldPrice, price.median);
            if (MedianLib.deviatesBps(price.median, price.twap, h.maxDeviationBps)) flags |= FLAG_DEVIATED;
        }
        price.flags = flags;
        _prices[asset] = price;

        data = _toPriceData(price, asset);
        emit PriceUpdated(asset, data.median, data.twap, cumulative, fresh, data.status);
    }

    /// @dev Record an observation now (none if one exists for this block), move the window start forward, and
    /// return the TWAP since the window start with the cumulative at now.
    ///
    /// The window start is the newest observation at or before `now - window`. A new observation goes into the next
    /// slot unless the ring is full and its oldest slot is that window start: then the newest slot moves forward to
    /// now instead. So once the buffer holds `window` seconds of history it never loses them: however many updates
    /// arrive, the stored TWAP spans at least `window` seconds (spamming `update` cannot shrink it).
    function _observe(address asset, AssetSlot memory slot, uint32 window, uint256 heldPrice, uint256 currentMedian)
        private
        returns (uint96 twapNow, uint256 cumulativeNow)
    {
        Observation[512] storage buffer = _observations[asset];
        ObservationLib.Ring memory ring = ObservationLib.Ring(slot.newest, slot.count, slot.bufferSize);
        uint32 nowTs = uint32(block.timestamp);
        if (ring.count == 0) {
            // First price (or first after the buffer was resized): no history, the TWAP is the median.
            buffer[0] = Observation(nowTs, 0);
            _storeRing(asset, ObservationLib.Ring(0, 1, ring.size), 0);
            return (uint96(currentMedian), 0);
        }
        Observation memory newest = buffer[ring.newest];
        (Observation memory start, uint256 windowStart) =
            buffer.advanceWindowStart(ring, newest, slot.windowStart, nowTs > window ? nowTs - window : 0);
        if (newest.timestamp != nowTs) {
            bool keepOldest = windowStart == ObservationLib.oldestIfFull(ring);
            newest = buffer.record(ring, newest, heldPrice, nowTs, keepOldest);
        }
        _storeRing(asset, ring, uint16(windowStart));
        cumulativeNow = newest.cumulative;
        twapNow = start.timestamp == nowTs
            ? uint96(currentMedian)
            : uint96((cumulativeNow - start.cumulative) / (nowTs - start.timestamp));
    }

    function _storeRing(address asset, ObservationLib.Ring memory ring, uint16 windowStart) private {
        AssetSlot storage slot = _assets[asset];
        (slot.newest, slot.count, slot.windowStart) = (ring.newest, ring.count, windowStart);
    }

    /// @dev Read every source; return the normalized fresh answers (unsorted) and how many there are.
    function _readSources(address asset, uint256[CONFIG_WORDS] memory config, uint256 count)
        private
        returns (uint256[8] memory answers, uint256 fresh)
    {
        for (uint256 i = 0; i < count; ++i) {
            OracleConfigLib.Source memory src = OracleConfigLib.source(config, i);
            uint256 gasBefore = gasleft();
            (bool ok, bytes memory ret) =
                src.feed.staticcall{gas: SOURCE_GAS_LIMIT}(abi.encodeCall(AggregatorV3Interface.latestRoundData, ()));
            if (!ok) {
                // A call starved by the caller's gas limit must not pass for a broken source. Judge by the gas before
                // the call, not after it: a starved feed need not burn what it got (a nested call keeps 1/64 at each
                // level, a feed may check gasleft()), so little gas left afterwards does not reveal starvation.
                if (gasBefore < SOURCE_CALL_GAS_NEEDED) revert InsufficientGasForSources(gasleft());
                emit SourceExcluded(asset, src.feed, Exclusion.Reverted, 0, 0);
                continue;
            }
            if (ret.length < 160) {
                emit SourceExcluded(asset, src.feed, Exclusion.Malformed, 0, 0);
                continue;
            }
            // Decoded as full words so that dirty high bits in a uint80 cannot make this call revert.
            (, int256 answer,, uint256 updatedAt,) = abi.decode(ret, (uint256, int256, uint256, uint256, uint256));
            Exclusion reason;
            bool excluded = true;
            if (answer <= 0) reason = Exclusion.NonPositive;
            else if (updatedAt == 0) reason = Exclusion.ZeroTimestamp;
            else if (updatedAt > block.timestamp) reason = Exclusion.FutureTimestamp;
            else if (block.timestamp - updatedAt > src.heartbeat) reason = Exclusion.Stale;
            else if (uint256(answer) < src.minAnswer || uint256(answer) > src.maxAnswer) reason = Exclusion.OutOfBounds;
            else excluded = false;
            if (excluded) {
                emit SourceExcluded(asset, src.feed, reason, answer, updatedAt);
                continue;
            }
            answers[fresh++] = _normalize(uint256(answer), src.decimals);
        }
    }

    function _normalize(uint256 answer, uint8 decimals) private pure returns (uint256) {
        if (decimals <= 18) return answer * 10 ** (18 - decimals);
        return answer / 10 ** (decimals - 18);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IOracleAggregator
    function setAssetConfig(address asset, AssetConfig calldata config) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 n = config.sources.length;
        if (n == 0 || n > MAX_SOURCES) revert InvalidSourceCount(n, MAX_SOURCES);
        if (config.quorum == 0 || config.quorum > n) revert InvalidQuorum(config.quorum, n);
        _checkBps(config.maxDispersionBps);
        _checkBps(config.maxDeviationBps);
        if (config.twapWindow < minTwapWindow) revert WindowTooShort(config.twapWindow, minTwapWindow);
        if (config.bufferSize < MIN_BUFFER_SIZE || config.bufferSize > MAX_BUFFER_SIZE) {
            revert InvalidBufferSize(config.bufferSize, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE);
        }
        if (config.maxPriceAge == 0 || config.maxPriceAge > type(uint24).max) {
            revert InvalidMaxPriceAge(config.maxPriceAge);
        }

        uint256[CONFIG_WORDS] memory words;
        words[0] = OracleConfigLib.packHeader(config);
        for (uint256 i = 0; i < n; ++i) {
            SourceConfig calldata src = config.sources[i];
            _checkSource(config, i);
            uint8 decimals = AggregatorV3Interface(src.feed).decimals();
            if (decimals > 36) revert InvalidDecimals(i, decimals);
            if (_normalize(src.minAnswer, decimals) == 0 || _normalize(src.maxAnswer, decimals) > type(uint96).max) {
                revert InvalidBounds(i, src.minAnswer, src.maxAnswer);
            }
            (words[1 + 2 * i], words[2 + 2 * i]) = OracleConfigLib.packSource(src, decimals);
        }

        AssetSlot storage slot = _assets[asset];
        if (slot.bufferSize != config.bufferSize) {
            // A resized ring restarts its history; pre-fill new slots so later writes are not zero-to-nonzero.
            for (uint256 i = slot.bufferSize; i < config.bufferSize; ++i) {
                if (_observations[asset][i].timestamp == 0) _observations[asset][i] = Observation(1, 0);
            }
            (slot.bufferSize, slot.newest, slot.count, slot.windowStart) = (config.bufferSize, 0, 0, 0);
        }
        slot.sourceSet = new OracleSourceSet(words);
        _prices[asset].maxPriceAge = uint24(config.maxPriceAge);

        emit AssetConfigured(asset, config);
    }

    function _checkSource(AssetConfig calldata config, uint256 i) private pure {
        SourceConfig calldata src = config.sources[i];
        if (src.feed == address(0)) revert InvalidFeed(i, src.feed);
        for (uint256 j = 0; j < i; ++j) {
            if (config.sources[j].feed == src.feed) revert InvalidFeed(i, src.feed);
        }
        if (src.heartbeat == 0) revert InvalidHeartbeat(i, src.heartbeat);
        if (src.minAnswer == 0 || src.minAnswer > src.maxAnswer) {
            revert InvalidBounds(i, src.minAnswer, src.maxAnswer);
        }
    }

    function _checkBps(uint16 value) private pure {
        if (value == 0 || value > 10_000) revert InvalidBps(value);
    }

    /// @inheritdoc IOracleAggregator
    function setFrozen(address asset, bool frozen) external onlyRole(GUARDIAN_ROLE) {
        _listedSlot(asset);
        bool active = _prices[asset].flags & FLAG_FROZEN != 0 && _freezeActive(asset);
        if (active == frozen) revert FreezeUnchanged(asset, frozen);
        uint256 until = block.timestamp;
        if (frozen) {
            // The previous freeze's end (or the unfreeze that cut it short) is the start of the guardian's cooldown.
            uint256 allowedAt = uint256(_frozenUntil[asset]) + _liveness.maxFreezeDuration;
            if (_frozenUntil[asset] != 0 && block.timestamp < allowedAt) revert FreezeTooSoon(asset, allowedAt);
            until += _liveness.maxFreezeDuration;
        }
        _setFreeze(asset, frozen, until);
    }

    /// @inheritdoc IOracleAggregator
    function freezeFor(address asset, uint256 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _listedSlot(asset);
        uint256 max = _liveness.maxFreezeDuration;
        if (duration == 0 || duration > max) revert InvalidFreezeDuration(duration, max);
        _setFreeze(asset, true, block.timestamp + duration);
    }

    function _setFreeze(address asset, bool frozen, uint256 until) private {
        PriceSlot storage price = _prices[asset];
        price.flags = frozen ? price.flags | FLAG_FROZEN : price.flags & ~FLAG_FROZEN;
        _frozenUntil[asset] = uint32(until);
        emit FreezeSet(asset, frozen, msg.sender, until);
    }

    function _freezeActive(address asset) private view returns (bool) {
        return block.timestamp < _frozenUntil[asset];
    }

    /// @inheritdoc IOracleAggregator
    function setLivenessParams(LivenessParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLivenessParams(params);
    }

    function _setLivenessParams(LivenessParams memory p) private {
        ParamBounds.check("maxFreezeDuration", p.maxFreezeDuration, MIN_FREEZE, MAX_FREEZE);
        ParamBounds.check("windDownAfter", p.windDownAfter, MIN_WIND_DOWN_AFTER, MAX_WIND_DOWN_AFTER);
        ParamBounds.check("windDownDelay", p.windDownDelay, MIN_WIND_DOWN_DELAY, MAX_WIND_DOWN_DELAY);
        _liveness = p;
        emit LivenessParamsSet(p);
    }

    // ---------------------------------------------------------------- wind-down (docs/design.md#liveness)

    /// @inheritdoc IOracleAggregator
    function proposeWindDown(address asset) external {
        _checkWindDownable(asset);
        (uint256 cap, bool reported) = _windDownCap(asset);
        if (!reported) revert NoSourceReport(asset);
        WindDownProposal memory pending = _windDowns[asset];
        if (_proposalValid(asset, pending)) revert WindDownPending(asset, pending.executableAt);
        _propose(asset, cap);
    }

    /// @inheritdoc IOracleAggregator
    function proposeWindDownPrice(address asset, uint256 price) external onlyRole(RISK_COMMITTEE_ROLE) {
        _checkWindDownable(asset);
        (uint256 cap,) = _windDownCap(asset);
        if (price == 0 || price > cap) revert WindDownPriceAboveCap(asset, price, cap);
        _propose(asset, price);
    }

    /// @inheritdoc IOracleAggregator
    function cancelWindDown(address asset) external {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) _checkRole(RISK_COMMITTEE_ROLE);
        if (_windDowns[asset].price == 0) revert NoWindDownPending(asset);
        delete _windDowns[asset];
        emit WindDownCancelled(asset, msg.sender);
    }

    /// @inheritdoc IOracleAggregator
    function executeWindDown(address asset) external {
        _checkWindDownable(asset);
        WindDownProposal memory pending = _windDowns[asset];
        if (!_proposalValid(asset, pending)) revert NoWindDownPending(asset);
        if (block.timestamp < pending.executableAt) revert WindDownNotReady(asset, pending.executableAt);
        (uint256 cap,) = _windDownCap(asset);
        uint256 price = pending.price < cap ? pending.price : cap;
        delete _windDowns[asset];
        PriceSlot storage slot = _prices[asset];
        (slot.median, slot.twap, slot.updatedAt, slot.flags) =
        (uint96(price), uint96(price), uint32(block.timestamp), FLAG_WOUND_DOWN);
        emit WoundDown(asset, price);
    }

    /// @dev A wind-down needs a listed asset, not wound down, with a last accepted median, whose sources have left it
    /// Stale for at least `windDownAfter` seconds.
    function _checkWindDownable(address asset) private view {
        PriceSlot memory price = _listedPrice(asset);
        if (price.flags & FLAG_WOUND_DOWN != 0) revert AssetWoundDown(asset);
        uint256 stale = _staleFor(price);
        uint256 required = _liveness.windDownAfter;
        if (price.median == 0 || stale < required) revert NotStaleLongEnough(asset, stale, required);
    }

    function _propose(address asset, uint256 price) private {
        uint32 executableAt = uint32(block.timestamp + _liveness.windDownDelay);
        _windDowns[asset] = WindDownProposal(uint96(price), uint32(block.timestamp), executableAt);
        emit WindDownProposed(asset, price, executableAt, msg.sender);
    }

    /// @dev A proposal stands while the Stale episode it was made in lasts: no price was accepted after it.
    function _proposalValid(address asset, WindDownProposal memory p) private view returns (bool) {
        return p.price != 0 && _prices[asset].updatedAt < p.proposedAt;
    }

    /// @dev Seconds since the last accepted median expired, when the sources' status is Stale (0 otherwise).
    function _staleFor(PriceSlot memory price) private view returns (uint256) {
        if (_statusFrom(price.flags, price.updatedAt, price.maxPriceAge, address(0)) != Status.Stale) return 0;
        uint256 expiry = uint256(price.updatedAt) + price.maxPriceAge;
        return block.timestamp > expiry ? block.timestamp - expiry : 0;
    }

    /// @dev The last accepted median, or the median of the sources' positive answers (any age, any bounds) if lower;
    /// `reported` tells whether any source answered with a positive price.
    function _windDownCap(address asset) private view returns (uint256 cap, bool reported) {
        cap = _prices[asset].median;
        uint256[CONFIG_WORDS] memory config = _assets[asset].sourceSet.words();
        uint256 count = OracleConfigLib.header(config).sourceCount;
        uint256[8] memory answers;
        uint256 n;
        for (uint256 i = 0; i < count; ++i) {
            OracleConfigLib.Source memory src = OracleConfigLib.source(config, i);
            (bool ok, bytes memory ret) =
                src.feed.staticcall{gas: SOURCE_GAS_LIMIT}(abi.encodeCall(AggregatorV3Interface.latestRoundData, ()));
            if (!ok || ret.length < 160) continue;
            (, int256 answer,,,) = abi.decode(ret, (uint256, int256, uint256, uint256, uint256));
            if (answer <= 0) continue;
            uint256 normalized = _normalize(uint256(answer), src.decimals);
            if (normalized == 0) normalized = 1; // a positive answer below one wei of USD is the smallest price
            answers[n++] = normalized;
        }
        if (n == 0) return (cap, false);
        MedianLib.sortAscending(answers, n);
        uint256 reportedMedian = MedianLib.medianOfSorted(answers, n);
        return (reportedMedian < cap ? reportedMedian : cap, true);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOracleAggregator
    function getPriceData(address asset) external view returns (PriceData memory) {
        uint256 word = _priceWord(asset);
        return PriceData(uint96(word), uint96(word >> 96), _statusOf(word, asset), uint32(word >> 192));
    }

    /// @inheritdoc IOracleAggregator
    function median(address asset) external view returns (uint256) {
        return _listedPrice(asset).median;
    }

    /// @inheritdoc IOracleAggregator
    function status(address asset) external view returns (Status) {
        return _status(_listedPrice(asset), asset);
    }

    /// @inheritdoc IOracleAggregator
    function sourceStatus(address asset) external view returns (Status) {
        PriceSlot memory price = _listedPrice(asset);
        return _statusFrom(price.flags, price.updatedAt, price.maxPriceAge, address(0));
    }

    /// @inheritdoc IOracleAggregator
    function frozenUntil(address asset) external view returns (uint256) {
        return _frozenUntil[asset];
    }

    /// @inheritdoc IOracleAggregator
    function livenessParams() external view returns (LivenessParams memory) {
        return _liveness;
    }

    /// @inheritdoc IOracleAggregator
    function staleFor(address asset) external view returns (uint256) {
        return _staleFor(_listedPrice(asset));
    }

    /// @inheritdoc IOracleAggregator
    function windDownProposal(address asset) external view returns (WindDownProposal memory) {
        WindDownProposal memory p = _windDowns[asset];
        return _proposalValid(asset, p) ? p : WindDownProposal(0, 0, 0);
    }

    /// @inheritdoc IOracleAggregator
    function windDownCap(address asset) external view returns (uint256 cap, bool reported) {
        _listedSlot(asset);
        return _windDownCap(asset);
    }

    /// @inheritdoc IOracleAggregator
    function twap(address asset, uint32 window) external view returns (uint256) {
        if (window < minTwapWindow) revert WindowTooShort(window, minTwapWindow);
        PriceSlot memory price = _listedPrice(asset);
        AssetSlot memory slot = _assets[asset];
        if (slot.count == 0) return price.median;
        Observation[512] storage buffer = _observations[asset];
        Observation memory newest = buffer[slot.newest];
        uint32 nowTs = uint32(block.timestamp);
        uint32 target = nowTs > window ? nowTs - window : 0;
        // The whole window lies after the newest observation: only the stored median held in it.
        if (target >= newest.timestamp) return price.median;
        (uint256 startCumulative, uint32 start) =
            buffer.cumulativeAt(ObservationLib.Ring(slot.newest, slot.count, slot.bufferSize), target);
        if (start == nowTs) return price.median;
        uint256 cumulativeNow = newest.cumulative + uint256(price.median) * (nowTs - newest.timestamp);
        return (cumulativeNow - startCumulative) / (nowTs - start);
    }

    /// @inheritdoc IOracleAggregator
    function twapEndingAt(address asset, uint32 window, uint32 end)
        external
        view
        returns (uint256 price, bool complete, uint32 observed)
    {
        if (window < minTwapWindow) revert WindowTooShort(window, minTwapWindow);
        if (end > block.timestamp) revert TwapEndInFuture(end, block.timestamp);
        PriceSlot memory stored = _listedPrice(asset);
        AssetSlot memory slot = _assets[asset];
        if (slot.count == 0) return (stored.median, false, 0);
        ObservationLib.Ring memory ring = ObservationLib.Ring(slot.newest, slot.count, slot.bufferSize);
        return _twapEndingAt(_observations[asset], ring, stored.median, end > window ? end - window : 0, end);
    }

    /// @dev `twapEndingAt` over [start, end] on a non-empty ring. The observation at or before `end` is found by a
    /// binary search, the one at or before `start` by a few steps back from it (a short span), else a binary search
    /// below it.
    function _twapEndingAt(
        Observation[512] storage buffer,
        ObservationLib.Ring memory ring,
        uint256 storedMedian,
        uint32 start,
        uint32 end
    ) private view returns (uint256, bool, uint32) {
        Observation memory newest = buffer[ring.newest];
        // The whole span lies after the newest observation: only the stored median held in it (none of it observed).
        if (start >= newest.timestamp) return (storedMedian, true, 0);
        Observation memory oldest = buffer[ObservationLib.at(ring, 0)];
        // The whole span lies before the oldest observation: none of it is held.
        if (end <= oldest.timestamp) return (storedMedian, false, 0);
        (uint256 sum, uint32 from) = _spanSum(buffer, ring, newest, oldest, storedMedian, start, end);
        // Observed: up to the newest fixed observation (the stored median extends the newest beyond it).
        uint32 fixedUntil = _fixedUntil(buffer, ring, newest);
        uint32 observedEnd = end < fixedUntil ? end : fixedUntil;
        return (sum / (end - from), from <= start, observedEnd > from ? observedEnd - from : 0);
    }

    /// @dev The timestamp up to which the ring's observations are final. A full ring may move its newest slot forward
    /// in place (`ObservationLib.record`), which changes the average between the observation before it and the new
    /// timestamp: only the observation before the newest is then fixed. A ring still filling never moves in place.
    function _fixedUntil(Observation[512] storage buffer, ObservationLib.Ring memory ring, Observation memory newest)
        private
        view
        returns (uint32)
    {
        if (ring.count < ring.size) return newest.timestamp;
        return buffer[ObservationLib.at(ring, uint256(ring.count) - 2)].timestamp;
    }

    /// @dev The sum of price * seconds over [from, end], `from` the later of `start` and the oldest observation (a span
    /// starting before the oldest observation covers the part held).
    function _spanSum(
        Observation[512] storage buffer,
        ObservationLib.Ring memory ring,
        Observation memory newest,
        Observation memory oldest,
        uint256 storedMedian,
        uint32 start,
        uint32 end
    ) private view returns (uint256, uint32) {
        (uint256 endCumulative, uint256 kEnd) = _cumulativeAtEnd(buffer, ring, newest, storedMedian, end);
        if (start <= oldest.timestamp) return (endCumulative - oldest.cumulative, oldest.timestamp);
        uint256 kStart = _lastBefore(buffer, ring, start, kEnd);
        return (endCumulative - buffer.cumulativeFrom(ring, kStart, start), start);
    }

    /// @dev The cumulative value at `end` (after the oldest observation) and the logical index of the last observation
    /// at or before it: the stored median extends the newest observation.
    function _cumulativeAtEnd(
        Observation[512] storage buffer,
        ObservationLib.Ring memory ring,
        Observation memory newest,
        uint256 storedMedian,
        uint32 end
    ) private view returns (uint256, uint256) {
        uint256 last = uint256(ring.count) - 1;
        if (end >= newest.timestamp) return (newest.cumulative + storedMedian * (end - newest.timestamp), last);
        uint256 k = buffer.lastAtOrBefore(ring, end, 0, last);
        return (buffer.cumulativeFrom(ring, k, end), k);
    }

    /// @dev Logical index of the last observation at or before `start`, at most `k` (the oldest is before `start`).
    function _lastBefore(Observation[512] storage buffer, ObservationLib.Ring memory ring, uint32 start, uint256 k)
        private
        view
        returns (uint256)
    {
        for (uint256 step = 0; step < ObservationLib.LINEAR_STEPS; ++step) {
            if (buffer[ObservationLib.at(ring, k)].timestamp <= start) return k;
            --k;
        }
        return buffer.lastAtOrBefore(ring, start, 0, k);
    }

    /// @inheritdoc IOracleAggregator
    function priceForRisk(address asset, bool longExposure) external view returns (uint256) {
        (uint256 low, uint256 high) = _policyBounds(asset, Action.AddRisk);
        return longExposure ? low : high;
    }

    /// @inheritdoc IOracleAggregator
    function priceForReduce(address asset, bool longExposure) external view returns (uint256) {
        (uint256 low, uint256 high) = _policyBounds(asset, Action.Reduce);
        return longExposure ? low : high;
    }

    /// @inheritdoc IOracleAggregator
    function priceForLiquidation(address asset, bool longExposure) external view returns (uint256) {
        (uint256 low, uint256 high) = _policyBounds(asset, Action.Liquidate);
        return longExposure ? high : low;
    }

    /// @inheritdoc IOracleAggregator
    function priceBounds(address asset, Action action) external view returns (uint256 low, uint256 high) {
        return _policyBounds(asset, action);
    }

    /// @inheritdoc IOracleAggregator
    function getAssetConfig(address asset) external view returns (AssetConfig memory config) {
        AssetSlot memory slot = _assets[asset];
        if (address(slot.sourceSet) == address(0)) revert AssetNotListed(asset);
        uint256[CONFIG_WORDS] memory words = slot.sourceSet.words();
        OracleConfigLib.Header memory h = OracleConfigLib.header(words);
        config.sources = new SourceConfig[](h.sourceCount);
        for (uint256 i = 0; i < h.sourceCount; ++i) {
            OracleConfigLib.Source memory src = OracleConfigLib.source(words, i);
            config.sources[i] = SourceConfig(src.feed, src.heartbeat, src.minAnswer, src.maxAnswer);
        }
        config.quorum = uint8(h.quorum);
        config.maxDispersionBps = uint16(h.maxDispersionBps);
        config.maxDeviationBps = uint16(h.maxDeviationBps);
        config.twapWindow = h.twapWindow;
        config.maxPriceAge = _prices[asset].maxPriceAge;
        config.bufferSize = slot.bufferSize;
    }

    /// @inheritdoc IOracleAggregator
    function observation(address asset, uint256 index) external view returns (Observation memory) {
        return _observations[asset][index];
    }

    /// @inheritdoc IOracleAggregator
    function observationState(address asset) external view returns (uint16 newestIndex, uint16 count) {
        AssetSlot memory slot = _assets[asset];
        return (slot.newest, slot.count);
    }

    // ---------------------------------------------------------------- internals

    function _listedSlot(address asset) private view {
        if (address(_assets[asset].sourceSet) == address(0)) revert AssetNotListed(asset);
    }

    function _listedPrice(address asset) private view returns (PriceSlot memory price) {
        price = _prices[asset];
        if (price.maxPriceAge == 0) revert AssetNotListed(asset);
    }

    /// @dev The policy table of the interface. Reduce and Liquidate follow the sources' own status (a freeze brakes new
    /// risk only); AddRisk and Value see a freeze. A wound-down asset's median and TWAP are both its wind-down price.
    function _policyBounds(address asset, Action action) private view returns (uint256 low, uint256 high) {
        uint256 word = _priceWord(asset);
        bool exit = action == Action.Reduce || action == Action.Liquidate;
        Status s = _statusFrom(word >> 248, uint32(word >> 192), uint24(word >> 224), exit ? address(0) : asset);
        bool allowed =
            s == Status.Ok || (exit && s == Status.Deviated) || (s == Status.WindDown && action != Action.AddRisk);
        if (!allowed) revert PriceUnavailable(asset, action, s);
        (uint256 m, uint256 t) = (uint96(word), uint96(word >> 96));
        (low, high) = m < t ? (m, t) : (t, m);
    }

    /// @dev The price slot of a listed asset as one word (median bits 0-95, twap 96-191, updatedAt 192-223,
    /// maxPriceAge 224-247, flags 248-255): the consumer reads, without copying the struct to memory.
    function _priceWord(address asset) private view returns (uint256 word) {
        PriceSlot storage stored = _prices[asset];
        assembly ("memory-safe") {
            word := sload(stored.slot)
        }
        if (uint24(word >> 224) == 0) revert AssetNotListed(asset);
    }

    function _statusOf(uint256 word, address asset) private view returns (Status) {
        return _statusFrom(word >> 248, uint32(word >> 192), uint24(word >> 224), asset);
    }

    function _status(PriceSlot memory price, address asset) private view returns (Status) {
        return _statusFrom(price.flags, price.updatedAt, price.maxPriceAge, asset);
    }

    /// @dev `freezeOf`: the asset whose freeze counts, or address(0) to ignore a freeze (the sources' own status).
    function _statusFrom(uint256 flags, uint256 updatedAt, uint256 maxPriceAge, address freezeOf)
        private
        view
        returns (Status)
    {
        if (flags & FLAG_WOUND_DOWN != 0) return Status.WindDown;
        if (flags & FLAG_FROZEN != 0 && freezeOf != address(0) && _freezeActive(freezeOf)) return Status.Frozen;
        // Compared without a subtraction: a call simulated at a clock behind the update reads the price as fresh.
        if (updatedAt == 0 || flags & FLAG_QUORUM_LOST != 0 || block.timestamp > updatedAt + maxPriceAge) {
            return Status.Stale;
        }
        if (flags & (FLAG_DISPERSED | FLAG_DEVIATED) != 0) return Status.Deviated;
        return Status.Ok;
    }

    function _toPriceData(PriceSlot memory price, address asset) private view returns (PriceData memory) {
        return PriceData(price.median, price.twap, _status(price, asset), price.updatedAt);
    }
}
