// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {ProtocolLock} from "../../../contracts/ProtocolLock.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";

/// @title PoolConstructorTest
/// @notice the Pool's constructor: its wiring (fixture: StandalonePoolBase).
contract PoolConstructorTest is StandalonePoolBase {
    /// @notice A zero settlement asset, engine or liquidator each reverts ZeroAddress alone; a full wiring deploys.
    function test_constructor__anyZeroWiring__reverts() public {
        Pool.Wiring memory w = _wiring(address(usdc));
        w.settlementAsset = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.settlementAsset = address(usdc);
        w.marginEngine = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.marginEngine = address(this);
        w.liquidator = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.liquidator = LIQ;
        Pool p = new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        assertEq(p.settlementAsset(), address(usdc), "settlement asset");
        assertEq(p.marginEngine(), address(this), "engine");
        assertEq(p.liquidator(), LIQ, "liquidator");
    }
}
