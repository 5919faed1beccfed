// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {WithVm} from "../utils/Vm.sol";

/// @title OracleHandler
/// @notice What the invariant fuzzer drives: one asset with four MockFeeds (8, 18, 6 and 8 decimals, the last with
/// narrow bounds), quorum 2, a small ring buffer. One entry point, `step`, picks a weighted action with bounded
/// inputs; the handler keeps a model of freshness and the ghost values the invariants compare against.
contract OracleHandler is WithVm {
    uint256 internal constant N = 4;
    uint8 public constant QUORUM = 2;
    uint32 public constant HEARTBEAT = 3600;
    uint32 public constant MAX_PRICE_AGE = 3600;
    uint16 public constant DISPERSION_BPS = 200;
    uint16 public constant DEVIATION_BPS = 500;
    uint16 public constant BUFFER_SIZE = 8;
    uint32 public constant TWAP_WINDOW = 1800;
    /// @dev Prices are whole cents from $100 to $6,000 (exact in 6 decimals); feed 3 only accepts $100 to $4,000.
    uint256 internal constant MIN_CENTS = 10_000;
    uint256 internal constant MAX_CENTS = 600_000;

    OracleAggregator public immutable oracle;
    address public immutable asset;
    MockFeed[N] internal feeds;
    uint128[N] internal minAnswers;
    uint128[N] internal maxAnswers;

    // ---------------------------------------------------------------- model and ghosts

    /// @notice The handler's clock (block.timestamp is warped to it before every action).
    uint256 public time;
    /// @notice When the model's freeze ends (a freeze lasts the oracle's maxFreezeDuration; 0: never frozen).
    uint256 public frozenUntil;
    /// @notice Set if a guardian freeze was accepted within `maxFreezeDuration` of the previous one's end, or refused
    /// for another reason. Never reset.
    bool public freezeRuleBroken;
    uint256 public freezesRefused;
    /// @notice Some update met the quorum (the oracle has a median).
    bool public hasMedian;
    /// @notice The last update lost the quorum.
    bool public lastQuorumLost;
    /// @notice The last update meeting the quorum: when, the reference median and the fresh answers' min and max.
    uint256 public lastGoodAt;
    uint256 public expectedMedian;
    uint256 public freshMin;
    uint256 public freshMax;
    bool public lastDispersed;
    /// @notice Smallest and largest median ever stored.
    uint256 public medianLow = type(uint256).max;
    uint256 public medianHigh;

    uint256 public updates;
    uint256 public updatesQuorumLost;
    uint256 public sameBlockUpdates;
    uint256 public freezes;
    uint256 internal lastUpdateAt;
    /// @notice When the first and the last observation were recorded (an update with a median records one).
    uint256 public firstObservationAt;
    uint256 public lastObservationAt;

    constructor(OracleAggregator oracle_, address asset_, uint256 start) {
        (oracle, asset, time) = (oracle_, asset_, start);
        uint8[N] memory decimals = [8, 18, 6, 8];
        for (uint256 i = 0; i < N; ++i) {
            feeds[i] = new MockFeed(decimals[i], _toAnswer(2_000e18, decimals[i]), "handler feed");
            minAnswers[i] = 1;
            maxAnswers[i] = uint128(type(uint96).max / 10 ** (18 - decimals[i]));
        }
        (minAnswers[3], maxAnswers[3]) = (100e8, 4_000e8);
    }

    /// @notice The configuration the test lists the asset with.
    function config() external view returns (IOracleAggregator.AssetConfig memory c) {
        c.sources = new IOracleAggregator.SourceConfig[](N);
        for (uint256 i = 0; i < N; ++i) {
            c.sources[i] = IOracleAggregator.SourceConfig(address(feeds[i]), HEARTBEAT, minAnswers[i], maxAnswers[i]);
        }
        (c.quorum, c.maxDispersionBps, c.maxDeviationBps) = (QUORUM, DISPERSION_BPS, DEVIATION_BPS);
        (c.twapWindow, c.maxPriceAge, c.bufferSize) = (TWAP_WINDOW, MAX_PRICE_AGE, BUFFER_SIZE);
    }

    // ---------------------------------------------------------------- the fuzzed entry point

    /// @notice One weighted action: 25 % set one feed, 10 % set all feeds near one price, 20 % warp, 30 % update,
    /// 5 % age or corrupt a feed's timestamp, 5 % toggle a feed reverting, 5 % freeze or unfreeze.
    function step(uint256 action, uint256 a, uint256 b) external {
        vm.warp(time);
        uint256 w = action % 100;
        if (w < 25) _setAnswer(a % N, b);
        else if (w < 35) _setAllNear(a, b);
        else if (w < 55) _warp(a, b);
        else if (w < 85) _update();
        else if (w < 90) _corruptTimestamp(a % N, b);
        else if (w < 95) _toggleReverting(a % N);
        else _toggleFreeze();
    }

    // ---------------------------------------------------------------- actions

    function _setAnswer(uint256 i, uint256 seed) internal {
        feeds[i].setAnswer(_toAnswer(_cents(seed) * 1e16, feeds[i].decimals()));
    }

    /// @dev Every feed within +-1 % of one price: the common case, where the status can be Ok.
    function _setAllNear(uint256 noise, uint256 seed) internal {
        uint256 base = _cents(seed);
        for (uint256 i = 0; i < N; ++i) {
            uint256 cents = base * (9_900 + (noise >> (16 * i)) % 201) / 10_000;
            feeds[i].setAnswer(_toAnswer(cents * 1e16, feeds[i].decimals()));
        }
    }

    /// @dev Mostly short steps, one in four up to twice the heartbeat (so prices and sources go stale).
    function _warp(uint256 a, uint256 b) internal {
        time += b % 4 == 0 ? _bound(a, 601, 2 * HEARTBEAT) : _bound(a, 1, 600);
        vm.warp(time);
    }

    function _update() internal {
        (uint256[N] memory fresh, uint256 count) = _freshAnswers();
        IOracleAggregator.PriceData memory data;
        try oracle.update(asset) returns (IOracleAggregator.PriceData memory d) {
            data = d;
        } catch {
            return; // never expected with the fuzzer's ample gas; the invariants would then see stale ghosts
        }
        ++updates;
        if (lastUpdateAt == time) ++sameBlockUpdates;
        lastUpdateAt = time;
        lastQuorumLost = count < QUORUM;
        if (lastQuorumLost) {
            ++updatesQuorumLost;
        } else {
            _sort(fresh, count);
            expectedMedian = count % 2 == 1 ? fresh[count / 2] : (fresh[count / 2 - 1] + fresh[count / 2]) / 2;
            (freshMin, freshMax) = (fresh[0], fresh[count - 1]);
            lastDispersed = (freshMax - freshMin) * 10_000 > uint256(DISPERSION_BPS) * expectedMedian;
            (hasMedian, lastGoodAt) = (true, time);
        }
        if (data.median != 0) {
            if (firstObservationAt == 0) firstObservationAt = time;
            lastObservationAt = time;
            if (data.median < medianLow) medianLow = data.median;
            if (data.median > medianHigh) medianHigh = data.median;
        }
    }

    /// @dev 0: an old timestamp (maybe past the heartbeat), 1: a future one, 2: zero.
    function _corruptTimestamp(uint256 i, uint256 seed) internal {
        uint256 kind = seed % 3;
        uint256 ts =
            kind == 0 ? time - _bound(seed >> 8, 0, 2 * HEARTBEAT) : kind == 1 ? time + 1 + (seed >> 8) % 600 : 0;
        feeds[i].setUpdatedAt(uint64(ts));
    }

    function _toggleReverting(uint256 i) internal {
        feeds[i].setReverting(!feeds[i].reverting());
    }

    /// @dev Lift an active freeze, or freeze: the guardian may freeze again only `maxFreezeDuration` after the last
    /// freeze ended (docs/design.md#liveness), which the model predicts.
    function _toggleFreeze() internal {
        uint256 duration = oracle.livenessParams().maxFreezeDuration;
        if (time < frozenUntil) {
            oracle.setFrozen(asset, false);
            frozenUntil = time;
        } else if (frozenUntil == 0 || time >= frozenUntil + duration) {
            oracle.setFrozen(asset, true);
            frozenUntil = time + duration;
        } else {
            bytes memory expected =
                abi.encodeWithSelector(IOracleAggregator.FreezeTooSoon.selector, asset, frozenUntil + duration);
            try oracle.setFrozen(asset, true) {
                freezeRuleBroken = true;
            } catch (bytes memory reason) {
                if (keccak256(reason) != keccak256(expected)) freezeRuleBroken = true;
            }
            ++freezesRefused;
        }
        ++freezes;
    }

    // ---------------------------------------------------------------- the reference model

    /// @notice Expected status from the model (docs/design.md#oracle-policy): Frozen (until the freeze expires) > Stale
    /// > Deviated > Ok.
    function expectedStatus() external view returns (IOracleAggregator.Status) {
        if (block.timestamp < frozenUntil) return IOracleAggregator.Status.Frozen;
        return expectedSourceStatus();
    }

    /// @notice Expected status of the sources themselves (a freeze ignored): what closes and liquidations follow.
    function expectedSourceStatus() public view returns (IOracleAggregator.Status) {
        if (!hasMedian || lastQuorumLost || block.timestamp - lastGoodAt > MAX_PRICE_AGE) {
            return IOracleAggregator.Status.Stale;
        }
        IOracleAggregator.PriceData memory d = oracle.getPriceData(asset);
        uint256 diff = d.median > d.twap ? d.median - d.twap : d.twap - d.median;
        if (lastDispersed || diff * 10_000 > uint256(DEVIATION_BPS) * d.twap) return IOracleAggregator.Status.Deviated;
        return IOracleAggregator.Status.Ok;
    }

    /// @dev The answers `update` should count, normalized to 18 decimals, by the rules of docs/design.md#oracle-policy.
    function _freshAnswers() internal view returns (uint256[N] memory fresh, uint256 count) {
        for (uint256 i = 0; i < N; ++i) {
            MockFeed f = feeds[i];
            if (f.reverting()) continue;
            int256 answer = f.answer();
            uint256 updatedAt = f.updatedAt();
            if (answer <= 0 || updatedAt == 0 || updatedAt > time || time - updatedAt > HEARTBEAT) continue;
            if (uint256(answer) < minAnswers[i] || uint256(answer) > maxAnswers[i]) continue;
            fresh[count++] = uint256(answer) * 10 ** (18 - f.decimals());
        }
    }

    function _sort(uint256[N] memory v, uint256 n) internal pure {
        for (uint256 i = 0; i < n; ++i) {
            for (uint256 j = 0; j + 1 < n - i; ++j) {
                if (v[j] > v[j + 1]) (v[j], v[j + 1]) = (v[j + 1], v[j]);
            }
        }
    }

    function _cents(uint256 seed) internal pure returns (uint256) {
        return _bound(seed, MIN_CENTS, MAX_CENTS);
    }

    function _toAnswer(uint256 wad, uint8 decimals) internal pure returns (int256) {
        return int256(wad / 10 ** (18 - decimals));
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + x % (max - min + 1);
    }
}
