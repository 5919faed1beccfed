// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";

/// @dev Words of a packed oracle configuration: a header and two per source for up to 8 sources.
uint256 constant CONFIG_WORDS = 17;

/// @title OracleConfigLib
/// @notice Packing of an asset's oracle configuration into the 17 words an OracleSourceSet keeps in code.
/// @dev Word 0: sourceCount (bits 0-7) | quorum (8-15) | maxDispersionBps (16-31) | maxDeviationBps (32-47) |
/// twapWindow (48-79). For source i, word 1 + 2i: feed (0-159) | heartbeat (160-191) | decimals (192-199), and
/// word 2 + 2i: minAnswer (0-127) | maxAnswer (128-255).
library OracleConfigLib {
    /// @notice The scalars of word 0.
    struct Header {
        uint256 sourceCount;
        uint256 quorum;
        uint256 maxDispersionBps;
        uint256 maxDeviationBps;
        uint32 twapWindow;
    }

    /// @notice One source, unpacked.
    struct Source {
        address feed;
        uint32 heartbeat;
        uint8 decimals;
        uint128 minAnswer;
        uint128 maxAnswer;
    }

    function packHeader(IOracleAggregator.AssetConfig calldata c) internal pure returns (uint256) {
        return c.sources.length | uint256(c.quorum) << 8 | uint256(c.maxDispersionBps) << 16
            | uint256(c.maxDeviationBps) << 32 | uint256(c.twapWindow) << 48;
    }

    function packSource(IOracleAggregator.SourceConfig calldata s, uint8 decimals)
        internal
        pure
        returns (uint256 a, uint256 b)
    {
        a = uint256(uint160(s.feed)) | uint256(s.heartbeat) << 160 | uint256(decimals) << 192;
        b = uint256(s.minAnswer) | uint256(s.maxAnswer) << 128;
    }

    function header(uint256[CONFIG_WORDS] memory w) internal pure returns (Header memory h) {
        uint256 word = w[0];
        h.sourceCount = uint8(word);
        h.quorum = uint8(word >> 8);
        h.maxDispersionBps = uint16(word >> 16);
        h.maxDeviationBps = uint16(word >> 32);
        h.twapWindow = uint32(word >> 48);
    }

    function source(uint256[CONFIG_WORDS] memory w, uint256 i) internal pure returns (Source memory s) {
        uint256 a = w[1 + 2 * i];
        uint256 b = w[2 + 2 * i];
        s.feed = address(uint160(a));
        s.heartbeat = uint32(a >> 160);
        s.decimals = uint8(a >> 192);
        s.minAnswer = uint128(b);
        s.maxAnswer = uint128(b >> 128);
    }
}
