// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "./utils/Vm.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title AbsorbValuationTest
/// @notice Regression test for a bug the core invariant campaign found (docs/design.md#invariants (2)):
/// `Liquidator._absorb` valued the seized collateral at the upper Liquidate bound while the Pool books it at the lower
/// one, so under a Deviated collateral price LPs lost amount x (high - low) with no DeficitSocialized event and no
/// InsuranceFund cover. The absorb now values the seizure at the lower bound: the deficit it reports is what the
/// Pool's lower NAV actually loses, covered by the InsuranceFund first and socialized after.
contract AbsorbValuationTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    bytes32 internal constant DEFICIT_SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
        _deposit(TRADER, weth, 10e18); // 30,000 USD
        _nextBlock();
        _open(TRADER, 0, 30e18); // 90,000 USD long
        _nextBlock();
    }

    /// @notice WETH settles at 2,000 (the account is insolvent), then its feed jumps to 2,200 and the oracle updates:
    /// median 2,200, TWAP about 2,000, status Deviated. The liquidation closes at 2,200 and absorbs the 10 WETH valued
    /// at 2,000, the price the Pool books them at: the lower NAV falls by the socialized deficit and no more.
    function test_absorb__deviatedCollateralPrice__lpLossIsExactlyTheSocializedDeficit() public {
        _setFeed(address(weth), 2_000e18);
        _settlePrices();
        _nextBlock();
        _setFeed(address(weth), 2_200e18);
        oracle.update(address(weth));
        (uint256 median, uint256 twap, uint8 status,) = _priceData(address(weth));
        assertEq(status, 1, "WETH is Deviated (liquidation allowed)");
        assertTrue(median > twap, "median above the TWAP");

        int256 navBefore = pool.nav(false);
        uint256 insuranceBefore = insurance.bookedBalance();
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 socializedUsd;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].topics[0] == DEFICIT_SOCIALIZED && logs[k].emitter == address(pool)) {
                (,, uint256 valueUsd) = abi.decode(logs[k].data, (uint256, uint256, uint256));
                socializedUsd += valueUsd;
            }
        }
        int256 navDrop = navBefore - pool.nav(false);
        uint256 covered = insuranceBefore - insurance.bookedBalance();
        // What LPs lost beyond the socialized deficit (the insurance cover went to the Pool, so it is not a loss).
        int256 unaccounted = navDrop - int256(socializedUsd);
        emit log_named_int("lower NAV drop, USD WAD", navDrop);
        emit log_named_uint("socialized, USD WAD", socializedUsd);
        emit log_named_uint("insurance cover, USDC units", covered);
        assertTrue(navDrop > 0, "the insolvent account's loss reached the Pool");
        // The socialized amount is whole settlement units (USDC: 1e-6 USD = 1e12 USD-WAD), rounded up: allow 10 units.
        assertTrue(unaccounted <= 1e13, "LPs lose nothing beyond the socialized deficit");
        assertTrue(unaccounted >= -1e13, "and the socialized deficit is the NAV drop, to the settlement unit");
    }
}
