"""The print projection and placement in free space (Qt-free).

Print maps use a Lambert Conformal Conic projection fitted to the area shown: standard
parallels at 1/6 and 5/6 of its latitude span, central meridian and origin at its centre,
on the GRS80 ellipsoid (ETRS89). Why: conformal, so municipalities keep their shapes (an
equirectangular plate carrée stretches the region by 1/cos 42° ≈ 35 % east–west); the
conic suits a mid-latitude area, and with fitted parallels the scale error stays below
0.1 % across the six countries and far less over one country or municipality, so one
scale bar is true everywhere on the sheet. It is the construction of ETRS89-LCC
(EPSG:3034), the European standard for conformal mapping, narrowed to the area drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:  # pyproj is imported when first needed (start-up time)
    from pyproj import Transformer

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapProjection:
    """Longitude/latitude → metres in a conformal conic fitted to ``extent``."""

    extent: Bounds

    @property
    def proj_string(self) -> str:
        x0, y0, x1, y1 = self.extent
        span = max(y1 - y0, 0.01)
        lat1, lat2 = y0 + span / 6, y1 - span / 6
        return (
            f"+proj=lcc +lat_1={lat1:.5f} +lat_2={lat2:.5f} +lat_0={(y0 + y1) / 2:.5f} "
            f"+lon_0={(x0 + x1) / 2:.5f} +ellps=GRS80 +units=m +no_defs"
        )

    @cached_property
    def _transformer(self) -> Transformer:
        from pyproj import Transformer

        return Transformer.from_crs("EPSG:4326", self.proj_string, always_xy=True)

    def points(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # pyproj types the result loosely; arrays in give arrays out.
        return cast("tuple[np.ndarray, np.ndarray]", self._transformer.transform(lon, lat))

    def geometries(self, geoms: Sequence[BaseGeometry]) -> np.ndarray:
        """Project many geometries in one vectorised pass."""

        def fn(coords: np.ndarray) -> np.ndarray:
            x, y = self._transformer.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(np.asarray(geoms, dtype=object), fn)

    def projected_extent(self) -> Bounds:
        """Bounds in metres of the lon/lat extent (its edges sampled, since they curve)."""
        x0, y0, x1, y1 = self.extent
        t = np.linspace(0, 1, 33)
        lon = np.concatenate([x0 + (x1 - x0) * t, np.full(33, x1), x0 + (x1 - x0) * t, np.full(33, x0)])
        lat = np.concatenate([np.full(33, y0), y0 + (y1 - y0) * t, np.full(33, y1), y0 + (y1 - y0) * t])
        x, y = self.points(lon, lat)
        return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


@dataclass(frozen=True)
class FrameTransform:
    """Metres → page units (mm, y down) fitting a projected extent into a frame, centred."""

    scale: float  # page units per metre
    offset_x: float
    offset_y: float

    @classmethod
    def fit(cls, extent: Bounds, frame: Bounds) -> FrameTransform:
        ex0, ey0, ex1, ey1 = extent
        fx0, fy0, fx1, fy1 = frame
        scale = min((fx1 - fx0) / max(ex1 - ex0, 1e-9), (fy1 - fy0) / max(ey1 - ey0, 1e-9))
        ox = fx0 + ((fx1 - fx0) - (ex1 - ex0) * scale) / 2 - ex0 * scale
        oy = fy0 + ((fy1 - fy0) - (ey1 - ey0) * scale) / 2 + ey1 * scale
        return cls(scale, ox, oy)

    def apply(self, geoms: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
        return shapely.transform(
            np.asarray(geoms, dtype=object),
            lambda c: np.column_stack(
                [c[:, 0] * self.scale + self.offset_x, self.offset_y - c[:, 1] * self.scale]
            ),
        )

    def point(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale + self.offset_x, self.offset_y - y * self.scale


def least_covered(
    candidates: Sequence[Bounds], obstacles: Sequence[BaseGeometry], avoid: Sequence[Bounds] = ()
) -> tuple[int, float]:
    """Index of the candidate box that covers the least of the drawn map, and that share.

    Ties (e.g. several boxes over empty sea) go to the box overlapping the fewest ``avoid``
    boxes (country extents), then to the earlier candidate.
    """
    drawn = np.asarray(obstacles, dtype=object)
    tree = shapely.STRtree(drawn) if len(drawn) else None
    scores = []
    for i, (x0, y0, x1, y1) in enumerate(candidates):
        box = shapely.box(x0, y0, x1, y1)
        covered = 0.0
        if tree is not None:
            hits = drawn[tree.query(box)]
            covered = float(shapely.area(shapely.intersection(hits, box)).sum()) / max(box.area, 1e-9)
        clashes = sum(x0 < a1 and x1 > a0 and y0 < b1 and y1 > b0 for a0, b0, a1, b1 in avoid)
        scores.append((round(covered, 3), clashes, i))
    best = min(scores)
    return best[2], best[0]
