// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolListAssetTest
/// @notice `Pool.listAsset`: listing limits and order (fixture: StandalonePoolBase).
contract PoolListAssetTest is StandalonePoolBase {
    /// @notice Listing twice reverts AssetAlreadyListed; the ninth asset reverts TooManyAssets(8).
    function test_listAsset__duplicateOrNinth__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("AssetAlreadyListed(address)", address(usdc)));
        pool.listAsset(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        for (uint256 i = 0; i < 6; ++i) {
            MockERC20 t = _newAsset(string.concat("A", vm.toString(i)), 18, 1e18);
            pool.listAsset(address(t), _params(1_000, 10_000, 0, 0, CAP));
        }
        assertEq(pool.assets().length, 8, "eight assets");
        MockERC20 ninth = _newAsset("A9", 18, 1e18);
        vm.expectRevert(abi.encodeWithSignature("TooManyAssets(uint256)", 8));
        pool.listAsset(address(ninth), _params(1_000, 10_000, 0, 0, CAP));
    }

    /// @notice Only the admin lists: anyone else reverts AccessControlUnauthorizedAccount(caller, admin role).
    function test_listAsset__notAdmin__reverts() public {
        MockERC20 dai = _newAsset("DAI", 18, 1e18);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", OTHER, bytes32(0)));
        vm.prank(OTHER);
        pool.listAsset(address(dai), _params(1_000, 10_000, 0, 0, CAP));
        assertEq(pool.assets().length, 2, "nothing listed");
    }

    /// @notice A new Pool's first asset must be the settlement asset: WETH first reverts SettlementAssetFirst(USDC);
    /// USDC then WETH list.
    function test_listAsset__otherAssetFirst__reverts() public {
        IPool p = _newPool(address(usdc));
        vm.expectRevert(abi.encodeWithSignature("SettlementAssetFirst(address)", address(usdc)));
        p.listAsset(address(weth), _params(5_000, 10_000, 0, 0, CAP));
        p.listAsset(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        p.listAsset(address(weth), _params(5_000, 10_000, 0, 0, CAP));
        assertEq(p.assets()[1], address(weth), "WETH second");
    }

    /// @notice A token the oracle does not price cannot be listed: the oracle's AssetNotListed(token) reverts the
    /// listing.
    function test_listAsset__unknownToTheOracle__reverts() public {
        MockERC20 token = new MockERC20("N", "N", 18);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(token)));
        pool.listAsset(address(token), _params(0, 10_000, 30, 50, CAP));
        assertEq(pool.assets().length, 2, "nothing listed");
    }
}
