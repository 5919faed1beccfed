// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {MockFalseToken} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title LiquidationLivenessBase
/// @notice The bench core for the liveness rules of liquidation (docs/design.md#liveness): every unhealthy account
/// can be resolved and resolving it takes no more than is owed. TRADER and BORROWER are the accounts liquidated.
abstract contract LiquidationLivenessBase is EngineFixture {
    /// @dev OTHER, as the account that borrows.
    address internal constant BORROWER = OTHER;

    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");

    bytes32 internal constant LIQUIDATION_FAILED = keccak256("LiquidationFailed(address,bytes)");

    function setUp() public {
        _deploySeededBenchCore();
        _nextBlock();
    }

    /// @dev The `Liquidated` event of `account` in `logs`: fraction, closed notional, penalty and reward.
    function _liquidated(Vm.Log[] memory logs, address account)
        internal
        pure
        returns (bool found, uint256 fraction, uint256 closed, uint256 penalty, uint256 reward)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != LIQUIDATED || address(uint160(uint256(logs[i].topics[1]))) != account) continue;
            found = true;
            (fraction, closed, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
        }
    }

    /// @dev BORROWER posts 10 WETH at 3,000 and borrows 20,000 USDC; then WETH settles at 2,200.
    function _borrowOnlyAccountAt2200() internal {
        _deposit(BORROWER, weth, 10e18);
        _nextBlock();
        _withdraw(BORROWER, usdc, 20_000e6);
        _settleWethAt(2_200e18);
    }

    /// @dev WETH settled at `price`, TRADER liquidated; the penalty rate in bps the Liquidator applied, checked against
    /// the formula penaltyBps + (maxPenaltyBps - penaltyBps) * (MM - equity) / MM on the health it read.
    function _penaltyRateAt(uint256 price) internal returns (uint256 bps) {
        _settleWethAt(price);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        bps = 100 + 300 * (h.maintenanceMargin - uint256(h.maintenanceEquity)) / h.maintenanceMargin;
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        (,, uint256 closed, uint256 penalty,) = _liquidated(vm.getRecordedLogs(), TRADER);
        uint256 expected = (closed * bps / 10_000 + 1e12 - 1) / 1e12; // ceil to USDC units at 1.00
        assertApproxEqAbs(penalty, expected, 1, "penalty = closed notional x the rate");
    }
}
