"""Fixtures shared by tests/, plugins/ and examples/."""

import pytest

pytest_plugins = ["petitionkit.testing.databases"]


@pytest.fixture(autouse=True)
def _command_line_locale_from_the_tests_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line follows LANG (issue 20): every suite runs as in the C locale whatever the shell's."""
    for name in ("PETITIONKIT_LOCALE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
