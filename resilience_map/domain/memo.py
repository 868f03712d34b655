"""One memoising decorator for the pure functions keyed by a record class or a table name.

:func:`functools.cache` is what runs; this only tells the type checker the truth about it. Its
stub types the wrapper as taking any hashable arguments, so calls to a cached function are not
checked against its signature, and mypy refuses a class as an argument although every class is
hashable (python/mypy#20409). The cached functions here take record classes above all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")


def memoise(function: Callable[P, R]) -> Callable[P, R]:
    """``functools.cache(function)``, typed with *function*'s own signature."""
    return cast("Callable[P, R]", functools.cache(function))
