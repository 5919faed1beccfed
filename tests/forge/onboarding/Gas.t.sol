// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {GasMeter} from "../utils/GasMeter.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingGasTest
/// @notice Gas of the onboarding's entry points with a one-source listing: `propose`, `approve`, `reject`, `reclaim`
/// and `finalize` (of a listing the timelock executed), recorded for `make bench` and the gas guard. Print with
/// `forge test --match-path tests/forge/onboarding/Gas.t.sol -vv`.
/// @dev Forge runs each test function as its own transaction after `setUp` is committed, so the measured call finds
/// every account and slot cold (see GasMeter). `setUp` leaves proposal 1 (LTT) Pending and proposal 2 (a second
/// token) executed by the timelock, so the contract already holds bonds and counts proposals, as in use. Each test
/// asserts the operation did what it should and that its tx gas stays under a ceiling (the figure measured when the
/// ceiling was set, +10 %).
contract AssetOnboardingGasTest is OnboardingFixture, GasMeter {
    uint256 internal pending;
    uint256 internal executed;

    function setUp() public override {
        super.setUp();
        pending = _propose(_listing());
        MockERC20 other = _newToken("Other", "OTH", 18);
        IAssetOnboarding.Listing memory l = _listing();
        l.asset = address(other);
        l.oracleConfig = _benchOracleConfig(_newFeed(FEED_DECIMALS, 10e8));
        executed = _propose(l);
        vm.prank(COMMITTEE);
        onboarding.approve(executed);
        _executeListing(executed);
        _nextBlock();
    }

    function test_gas_propose() public {
        (Gas memory g,) =
            _measure(PROPOSER, address(onboarding), abi.encodeCall(onboarding.propose, (_listing(), MIN_BOND)));
        assertEq(onboarding.proposalCount(), 3, "proposed");
        _log("onboarding_propose", "propose (1 source)", g, 374_000);
    }

    function test_gas_approve() public {
        (Gas memory g,) = _measure(COMMITTEE, address(onboarding), abi.encodeCall(onboarding.approve, (pending)));
        assertEq(uint8(_status(pending)), uint8(IAssetOnboarding.Status.Approved), "approved");
        _log("onboarding_approve", "approve (schedules 4 calls)", g, 210_000);
    }

    function test_gas_reject() public {
        (Gas memory g,) = _measure(COMMITTEE, address(onboarding), abi.encodeCall(onboarding.reject, (pending, "no")));
        assertEq(uint8(_status(pending)), uint8(IAssetOnboarding.Status.Rejected), "rejected");
        _log("onboarding_reject", "reject (bond returned)", g, 59_500);
    }

    function test_gas_reclaim() public {
        vm.warp(vm.getBlockTimestamp() + REVIEW_PERIOD + 1);
        (Gas memory g,) = _measure(OTHER, address(onboarding), abi.encodeCall(onboarding.reclaim, (pending)));
        assertEq(uint8(_status(pending)), uint8(IAssetOnboarding.Status.Expired), "expired");
        _log("onboarding_reclaim", "reclaim (expired, bond returned)", g, 56_500);
    }

    function test_gas_finalize() public {
        (Gas memory g,) = _measure(OTHER, address(onboarding), abi.encodeCall(onboarding.finalize, (executed)));
        assertEq(uint8(_status(executed)), uint8(IAssetOnboarding.Status.Listed), "listed");
        _log("onboarding_finalize", "finalize (listed, bond returned)", g, 65_500);
    }

    /// @notice Record `g` for `make bench` under `key`, log it under `name`, and fail above `ceiling`.
    function _log(string memory key, string memory name, Gas memory g, uint256 ceiling) internal {
        _record(key, g);
        emit log_named_uint(string.concat(name, ": tx gas"), g.txGas);
        emit log_named_uint(string.concat(name, ": execution"), g.execution);
        assertLe(g.txGas, ceiling, string.concat(name, ": tx gas above its ceiling"));
    }
}
