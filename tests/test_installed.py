"""``tests.installed``: with MODELGATE_DIST set, the suite runs only on the installed wheel's ``bot``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.installed import check_installed, import_problem, subprocess_bot

SOURCE = Path("/src/modelgate")
WHEEL = Path("/venv/lib/python3.11/site-packages/bot/__init__.py")


def test_the_installed_wheels_bot_in_the_process_and_its_subprocesses_is_no_problem() -> None:
    assert import_problem(WHEEL, WHEEL, WHEEL, SOURCE) is None


@pytest.mark.parametrize(("imported", "in_subprocess", "installed", "problem"), [
    (WHEEL, WHEEL, None, "modelgate-ci is not installed from a wheel"),
    (SOURCE / "bot/__init__.py", WHEEL, WHEEL, "this process imports bot from the checkout"),
    (WHEEL, SOURCE / "bot/__init__.py", WHEEL, "a CLI subprocess imports bot from the checkout"),
    (Path("/elsewhere/bot/__init__.py"), WHEEL, WHEEL, "this process imports bot from /elsewhere/bot/__init__.py"),
])
def test_a_bot_that_is_not_the_installed_wheels_is_named(imported: Path, in_subprocess: Path, installed: Path | None,
                                                         problem: str) -> None:
    found = import_problem(imported, in_subprocess, installed, SOURCE)
    assert found is not None and found.startswith(problem)


def test_without_modelgate_dist_the_checkout_is_tested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELGATE_DIST", raising=False)
    assert check_installed() is None


def test_a_cli_subprocess_imports_the_bot_this_process_does() -> None:
    import bot

    assert subprocess_bot() == Path(bot.__file__).resolve()
