"""Choropleth classification of indicator values (mapclassify under the hood)."""

from __future__ import annotations

import warnings
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


@dataclass(frozen=True)
class Classification:
    """Class bounds and membership. Class i spans (lower_i, bins[i]]; class 0 starts at ``minimum``."""

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
    """Put every value into one of ``k`` classes (fewer when there are fewer distinct values)."""
    if not MIN_CLASSES <= k <= MAX_CLASSES and scheme is not Scheme.MANUAL:
        raise ValueError(f"choose between {MIN_CLASSES} and {MAX_CLASSES} classes")
    keys = list(values)
    data = np.asarray([values[key] for key in keys], dtype=float)
    if data.size == 0:
        return Classification(scheme, 0.0, (), (), {})
    k = min(k, len(np.unique(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when it merges duplicate bounds
        classifier = _classifier(data, scheme, k, manual_breaks)
    bins = tuple(float(b) for b in classifier.bins)
    classes = np.asarray(classifier.yb, dtype=int)
    counts = tuple(int((classes == i).sum()) for i in range(len(bins)))
    return Classification(scheme, float(data.min()), bins, counts,
                          {key: int(c) for key, c in zip(keys, classes)})


def _classifier(data: np.ndarray, scheme: Scheme, k: int, manual_breaks: Sequence[float] | None):
    import mapclassify  # imported on first use: it pulls in scipy (about a second)

    if scheme is Scheme.QUANTILES:
        return mapclassify.Quantiles(data, k=k)
    if scheme is Scheme.EQUAL_INTERVAL:
        return mapclassify.EqualInterval(data, k=max(k, 1))
    if scheme is Scheme.NATURAL_BREAKS:
        return mapclassify.FisherJenks(data, k=k)
    breaks = sorted(float(b) for b in (manual_breaks or ()))
    if not breaks:
        raise ValueError("manual classification needs at least one break")
    if breaks[-1] < data.max():
        breaks.append(float(data.max()))  # the top class always reaches the largest value
    return mapclassify.UserDefined(data, bins=breaks)
