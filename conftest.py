"""Fixtures shared by tests/, plugins/ and examples/."""

pytest_plugins = ["petitionkit.testing.databases"]
