// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAssetOnboarding} from "../../../interfaces/IAssetOnboarding.sol";
import {AssetOnboarding} from "../../../contracts/governance/AssetOnboarding.sol";
import {OnboardingFixture} from "../utils/OnboardingFixture.sol";

/// @title AssetOnboardingConstructorTest
/// @notice `AssetOnboarding`'s constructor (fixture: OnboardingFixture).
contract AssetOnboardingConstructorTest is OnboardingFixture {
    /// @notice The wiring, the roles (the admin given, the committee) and the parameters are as given.
    function test_constructor__wiringRolesAndParams__asGiven() public view {
        assertEq(onboarding.bondToken(), address(usdc), "bond token");
        assertEq(onboarding.timelock(), address(timelock), "timelock");
        assertEq(onboarding.oracle(), address(oracle), "oracle");
        assertEq(onboarding.pool(), address(pool), "pool");
        assertEq(onboarding.engine(), address(engine), "engine");
        assertTrue(onboarding.hasRole(bytes32(0), address(timelock)), "timelock admin");
        assertTrue(!onboarding.hasRole(bytes32(0), address(this)), "deployer not admin");
        assertTrue(onboarding.hasRole(onboarding.RISK_COMMITTEE_ROLE(), COMMITTEE), "committee");
        assertEq(keccak256(abi.encode(onboarding.params())), keccak256(abi.encode(_defaultParams())), "params");
        assertEq(onboarding.proposalCount(), 0, "no proposal");
        assertEq(onboarding.promotionCount(), 0, "no promotion");
    }

    /// @notice The constructor announces its parameters.
    function test_constructor__params__emitted() public {
        vm.expectEmit();
        emit IAssetOnboarding.ParamsSet(_defaultParams());
        address deployed = _deployWith(
            [address(usdc), address(timelock), address(oracle), address(pool), address(engine), address(1), COMMITTEE]
        );
        assertTrue(deployed != address(0), "deployed");
    }

    /// @notice Every address is required.
    function test_constructor__zeroAddress__reverts() public {
        for (uint256 i = 0; i < 7; ++i) {
            address[7] memory a = [
                address(usdc), address(timelock), address(oracle), address(pool), address(engine), address(1), COMMITTEE
            ];
            a[i] = address(0);
            bytes memory code = abi.encodePacked(
                vm.getCode("AssetOnboarding.sol:AssetOnboarding"),
                abi.encode(a[0], a[1], a[2], a[3], a[4], a[5], a[6], _defaultParams())
            );
            vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
            _create(code);
        }
    }

    /// @notice Parameters out of bounds are refused at construction too.
    function test_constructor__paramsOutOfBounds__reverts() public {
        IAssetOnboarding.OnboardingParams memory p = _defaultParams();
        p.reviewPeriod = 0;
        bytes memory code = _onboardingCode(address(usdc), p);
        vm.expectRevert(_bounds("reviewPeriod", 0, 1 days, 30 days));
        _create(code);
    }

    /// @dev Deploy an AssetOnboarding with the addresses `a` (bond token, timelock, oracle, Pool, engine, admin,
    /// committee) and the default parameters; address(0) if its constructor reverts.
    function _deployWith(address[7] memory a) internal returns (address) {
        bytes memory code = abi.encodePacked(
            vm.getCode("AssetOnboarding.sol:AssetOnboarding"),
            abi.encode(a[0], a[1], a[2], a[3], a[4], a[5], a[6], _defaultParams())
        );
        return _create(code);
    }
}
