"""Choropleth classification of indicator values: quantiles, equal intervals, natural breaks, manual.

Computed here with numpy rather than mapclassify: mapclassify pulls in scipy, scikit-learn
and pandas (about 240 MiB and two seconds at start-up) for four small algorithms. The
results are the same as mapclassify's (the tests compare them): class ``i`` holds the
values in ``(bins[i-1], bins[i]]``, class 0 everything up to ``bins[0]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from resilience_map.domain.enums import StrEnum

MIN_CLASSES, MAX_CLASSES = 3, 9


class Scheme(StrEnum):
    QUANTILES = "quantiles"
    EQUAL_INTERVAL = "equal_interval"
    NATURAL_BREAKS = "natural_breaks"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {"natural_breaks": "Natural breaks (Fisher-Jenks)"}.get(self.value, super().label)


class ClassificationError(ValueError):
    """The chosen classes cannot be drawn; the message says why, in the user's words."""


@dataclass(frozen=True)
class Classification:
    """Class bounds and membership. Class i spans (lower_i, bins[i]]; class 0 starts at ``minimum``.

    ``minimum`` is the lower edge of class 0: the smallest value, or the first manual
    break when every value lies above it (the class is then empty).
    """

    scheme: Scheme
    minimum: float
    bins: tuple[float, ...]
    counts: tuple[int, ...]
    class_of: dict[str, int]

    @property
    def k(self) -> int:
        return len(self.bins)

    def bounds(self, i: int) -> tuple[float, float]:
        lower = self.minimum if i == 0 else self.bins[i - 1]
        return lower, self.bins[i]


def classify_values(values: Mapping[str, float], scheme: Scheme = Scheme.QUANTILES, k: int = 5,
                    manual_breaks: Sequence[float] | None = None) -> Classification:
    """Put every value into one of ``k`` classes (fewer when there are fewer distinct values).

    Raises :class:`ClassificationError` (a ValueError) with a sentence for the user when
    the class count or the manual breaks cannot work.
    """
    if scheme is not Scheme.MANUAL and not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ClassificationError(f"Choose between {MIN_CLASSES} and {MAX_CLASSES} classes.")
    keys = list(values)
    data = np.fromiter((values[key] for key in keys), dtype=float, count=len(keys))
    if scheme is Scheme.MANUAL:
        bins = manual_bins(manual_breaks or (), data)
    elif data.size == 0:
        return Classification(scheme, 0.0, (), (), {})
    else:
        ordered = np.sort(data)
        k = min(k, int(distinct(ordered).size))
        bins = _BINNERS[scheme](ordered, k)
    return classify_with_bins(keys, data, bins, scheme)


def classify_with_bins(keys: Sequence[str], data: np.ndarray, bins: Sequence[float],
                       scheme: Scheme, lower: float | None = None) -> Classification:
    """Membership and counts for given upper bounds (the top bound must reach the maximum).

    ``lower``: where class 0 starts when the classes have a fixed lower edge (symmetric
    classes start at −m even when no value lies that low).
    """
    edges = np.asarray(bins, dtype=float)
    classes = np.searchsorted(edges, data, side="left")  # (bins[i-1], bins[i]] → i
    classes = np.minimum(classes, len(edges) - 1)
    counts = np.bincount(classes, minlength=len(edges)) if data.size else np.zeros(len(edges), dtype=int)
    if lower is not None:
        minimum = float(lower)
    else:
        minimum = float(min(data.min(), edges[0])) if data.size else float(edges[0]) if len(edges) else 0.0
    return Classification(scheme, minimum, tuple(float(b) for b in edges), tuple(int(c) for c in counts),
                          {key: int(c) for key, c in zip(keys, classes, strict=True)})


def manual_bins(breaks: Sequence[float], data: np.ndarray) -> tuple[float, ...]:
    """The user's breaks as class upper bounds; the top class always reaches the largest value.

    Refuses, with the reason, what would draw a misleading map: no break, a break that is
    not a finite number, the same break twice, or more classes than a legend can show.
    """
    if not breaks:
        raise ClassificationError("Type at least one class break, e.g. 30, 40, 50.")
    for b in breaks:
        if not math.isfinite(b):
            raise ClassificationError(f"The break {b} is not a finite number.")
    ordered = sorted(float(b) for b in breaks)
    twice = next((a for a, b in zip(ordered, ordered[1:], strict=False) if a == b), None)
    if twice is not None:
        raise ClassificationError(f"The break {twice:g} is given twice; each break must be different.")
    if data.size and ordered[-1] < data.max():
        ordered.append(float(data.max()))  # the top class always reaches the largest value
    if len(ordered) > MAX_CLASSES:
        raise ClassificationError(f"These breaks make {len(ordered)} classes; a map can show at most "
                                  f"{MAX_CLASSES}. Remove {len(ordered) - MAX_CLASSES} of them.")
    return tuple(ordered)


def quantile_bins(ordered: np.ndarray, k: int) -> tuple[float, ...]:
    """Upper bounds at the 1/k, 2/k … 1 quantiles (linear interpolation); ties merge classes."""
    shares = np.arange(1, k + 1) * (100.0 / k)
    shares[-1] = 100.0
    return tuple(float(b) for b in distinct(np.percentile(ordered, shares)))


def equal_interval_bins(ordered: np.ndarray, k: int) -> tuple[float, ...]:
    """k classes of equal width from the smallest to the largest value."""
    low, high = float(ordered[0]), float(ordered[-1])
    if high == low:
        return (high,)
    width = (high - low) / k
    return (*(low + width * i for i in range(1, k)), high)


def natural_breaks_bins(ordered: np.ndarray, k: int) -> tuple[float, ...]:
    """Fisher-Jenks: the k classes with the least total squared deviation from their means.

    Exact dynamic programme over the sorted values, one vectorised step per class: the
    choropleth classifies at most a few hundred municipalities, so the n×n cost matrix
    is small.
    """
    n = ordered.size
    if k <= 1 or n <= k:
        return tuple(float(v) for v in distinct(ordered))[-max(k, 1):]
    s1 = np.concatenate(([0.0], np.cumsum(ordered)))
    s2 = np.concatenate(([0.0], np.cumsum(ordered * ordered)))
    start = np.arange(n)[:, None]  # first index of a class
    end = np.arange(n)[None, :]  # last index of a class
    size = end - start + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        total = s1[end + 1] - s1[start]
        cost = (s2[end + 1] - s2[start]) - total * total / size
    cost = np.where(size > 0, cost, np.inf)
    best = cost[0].copy()  # best[j]: one class over values 0..j
    first_of_last: list[np.ndarray] = []
    for _ in range(1, k):
        # a new last class starting at i >= 1 after the best split of 0..i-1
        candidates = np.full((n, n), np.inf)
        candidates[1:, :] = best[:-1, None] + cost[1:, :]
        choice = np.argmin(candidates, axis=0)
        best = candidates[choice, np.arange(n)]
        first_of_last.append(choice)
    uppers = [n - 1]
    last = n - 1
    for choice in reversed(first_of_last):
        last = int(choice[last]) - 1
        uppers.append(last)
    return tuple(float(ordered[i]) for i in sorted(uppers))


def distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (np.unique would import numpy.ma, 40 ms at start-up)."""
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def symmetric_extent(values: Sequence[float] | np.ndarray) -> float:
    """m, the largest change in either direction (1 when nothing changed)."""
    m = float(np.max(np.abs(np.asarray(values, dtype=float)))) if len(values) else 0.0
    return m or 1.0


def symmetric_breaks(values: Sequence[float] | np.ndarray, k: int) -> tuple[float, ...]:
    """Upper class bounds of k equal classes from -m to +m, so colours keep their sign."""
    m = symmetric_extent(values)
    step = 2 * m / k
    return tuple(round(-m + step * (i + 1), 6) for i in range(k))


_BINNERS = {
    Scheme.QUANTILES: quantile_bins,
    Scheme.EQUAL_INTERVAL: equal_interval_bins,
    Scheme.NATURAL_BREAKS: natural_breaks_bins,
}
