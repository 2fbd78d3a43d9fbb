"""Errors raised by the selection engine."""

from __future__ import annotations


class InstanceError(ValueError):
    """The instance is malformed (bad JSON shape, bad values, inconsistent data)."""


class PolicyError(InstanceError):
    """The policy (constraints of the call) is refused; the coordinator must change it.

    ``regions`` names the regions concerned, sorted.
    """

    def __init__(self, message: str, regions: list[str]):
        super().__init__(message)
        self.regions = list(regions)
