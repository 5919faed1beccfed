// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IPool} from "../../../interfaces/IPool.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {PoolStorage} from "../../../contracts/base/PoolStorage.sol";
import {PoolExtension} from "../../../contracts/PoolExtension.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolConstructorTest
/// @notice the Pool's constructor: its wiring (fixture: StandalonePoolBase).
contract PoolConstructorTest is StandalonePoolBase {
    /// @notice A zero settlement asset, engine or liquidator each reverts ZeroAddress alone; a full wiring deploys.
    function test_constructor__anyZeroWiring__reverts() public {
        PoolStorage.Wiring memory w = _wiring(address(usdc));
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
        IPool p = IPool(address(new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN)));
        assertEq(p.settlementAsset(), address(usdc), "settlement asset");
        assertEq(p.marginEngine(), address(this), "engine");
        assertEq(p.liquidator(), LIQ, "liquidator");
    }

    /// @notice The MarginEngine is product 0 from construction, with no cap (ProductAdded(engine, 0, no caps) among
    /// the constructor's logs), and the only product; the extension serves the registry at the Pool's address.
    function test_constructor__marginEngine__isProductZeroWithoutCaps() public {
        vm.recordLogs();
        IPool p = _newPool(address(usdc));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = keccak256("ProductAdded(address,uint256,(uint48,uint16))");
        uint256 found;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(p) && logs[i].topics[0] == topic) {
                ++found;
                assertEq(logs[i].topics[1], bytes32(uint256(uint160(address(this)))), "the MarginEngine");
                assertEq(
                    keccak256(logs[i].data),
                    keccak256(abi.encode(uint256(0), type(uint48).max, uint16(10_000))),
                    "number 0, no caps"
                );
            }
        }
        assertEq(found, 1, "one ProductAdded");
        address[] memory list = p.products();
        assertEq(list.length, 1, "one product");
        assertEq(list[0], address(this), "the MarginEngine");
        assertTrue(p.isProduct(address(this)), "a product");
        IProductRegistryTypes.ProductCaps memory caps = p.productCaps(address(this));
        assertEq(caps.maxLiquidityUsd, type(uint48).max, "no liquidity cap");
        assertEq(caps.maxBackingShareBps, 10_000, "the whole backing");
        assertEq(PoolExtension(Pool(payable(address(p))).extension()).pool(), address(p), "its extension");
    }

    /// @notice `initialize` runs only in the Pool's constructor: called on the extension itself, or on the deployed
    /// Pool (through its fallback), it reverts Unauthorized and changes nothing; an unknown selector reverts.
    function test_initialize__afterDeployment__reverts() public {
        PoolStorage.Wiring memory w = _wiring(address(usdc));
        w.admin = OTHER;
        address extension = Pool(payable(address(pool))).extension();
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        PoolExtension(extension).initialize(w, _model(), 5_000, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        PoolExtension(address(pool)).initialize(w, _model(), 5_000, 0);
        assertEq(pool.maxUtilizationBps(), MAX_UTILIZATION_BPS, "settings kept");
        assertTrue(!IAccessControl(address(pool)).hasRole(bytes32(0), OTHER), "no role granted");
        (bool ok,) = address(pool).call(abi.encodeWithSignature("noSuchFunction()"));
        assertTrue(!ok, "unknown selector");
    }
}
