"""Every exception Yishi defines derives from ``YishiError``, so a caller (the CLI, the
intake service, a council's own script) can catch everything Yishi raises on purpose at once.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import yishi
from yishi import errors
from yishi.errors import YishiError

# Exception classes a library requires to derive from its own base, with the reason.
ALLOWED: dict[str, str] = {}


def package_modules() -> list[str]:
    """Every module of the ``yishi`` package."""
    return sorted(
        info.name for info in pkgutil.walk_packages(yishi.__path__, prefix="yishi.")
    )


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined (not merely imported) in a module of the package."""
    found: dict[str, type[BaseException]] = {}
    for name in package_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


def test_the_walk_finds_the_exceptions_of_the_package() -> None:
    classes = exception_classes()
    # Ones in subpackages and in the errors module itself, so the walk cannot be empty.
    assert "yishi.errors.ForgeRetryable" in classes
    assert "yishi.intake.submission.Invalid" in classes


@pytest.mark.parametrize("qualified", sorted(exception_classes()))
def test_exception_derives_from_yishi_error(qualified: str) -> None:
    cls = exception_classes()[qualified]
    assert issubclass(cls, YishiError) or qualified in ALLOWED, (
        f"{qualified} derives from {[base.__name__ for base in cls.__mro__[1:]]}, "
        "not from yishi.errors.YishiError"
    )


def test_allowed_exceptions_still_exist() -> None:
    assert set(ALLOWED) <= set(exception_classes())


def drawn_parents() -> dict[str, str]:
    """Each class in the tree drawn in ``yishi.errors``' docstring, mapped to its parent."""
    parents: dict[str, str] = {}
    path: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        if line.strip() == "YishiError":
            path = ["YishiError"]
            continue
        if not (branch := re.search(r"[├└]── (\w+)", line)):
            continue
        depth = (branch.start() - 4) // 4 + 1
        path = [*path[:depth], branch.group(1)]
        parents[branch.group(1)] = path[depth - 1]
    return parents


def test_the_drawing_in_the_errors_module_is_the_hierarchy() -> None:
    drawn = drawn_parents()
    actual = {}
    for cls in exception_classes().values():
        if cls is YishiError or not issubclass(cls, YishiError):
            continue
        parent = next(base for base in cls.__bases__ if issubclass(base, YishiError))
        actual[cls.__name__] = parent.__name__
    assert drawn == actual
