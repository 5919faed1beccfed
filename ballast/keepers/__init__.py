"""Keepers: the off-chain operators of ballast (oracle pushes, liquidations)."""
