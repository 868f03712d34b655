"""Boundary benchmarks, each beside a baseline measured in the same run.

1. Matching the seven shared files (names proposed, seats confirming, parts split):
   the whole plan vs the baseline of only reading the same files.
2. Country borders from the municipal polygons: our closed, cleaned outline (first time,
   then from the cache) vs the baseline of a plain ``GeoDataFrame.dissolve("country")``.

Usage:  python benchmarks/bench_boundaries.py [--repeat 5]
Needs ../shared/data/boundaries (or RESILIENCE_MAP_SHARED).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("RESILIENCE_MAP_SHARED", REPO.parent / "shared")) / "data" / "boundaries"
FILES = ["AL_adm2", "BA_adm2", "XK_adm2", "ME_adm2", "MK_adm2", "MK_skopje_adm2", "RS_adm2"]


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, " \
           f"max {max(samples) * 1000:.0f}, n={len(samples)})"


def timed(fn, repeat: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (SHARED / "MK_adm2.geojson").exists():
        sys.exit(f"no boundary files in {SHARED}")
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()  # a cold border cache for this run

    import geopandas as gpd

    from resilience_map.io.boundaries import read_boundaries
    from resilience_map.io.matching import plan_boundary_import
    from resilience_map.io.registry import load_registry
    from resilience_map.maps import country_borders

    registry = load_registry()
    paths = [SHARED / f"{name}.geojson" for name in FILES]
    read_only, frames = timed(lambda: [read_boundaries(p) for p in paths], args.repeat)
    planned, plans = timed(lambda: [plan_boundary_import(read_boundaries(p), registry,
                                                         country=p.name[:2]) for p in paths],
                           args.repeat)
    total = sum(len(p.matches) for p in plans)
    matched = sum(m.status == "matched" for p in plans for m in p.matches)
    print(f"matching {total} features of {len(paths)} files: {median_ms(planned)}; "
          f"{matched} matched automatically")
    print(f"  baseline, reading the same files only: {median_ms(read_only)}")

    by_uuid = {u.registry_id: u for u in registry}
    boundaries = {}
    for plan in plans[:5] + plans[6:]:  # each country's own file (Skopje's ten are a detail)
        boundaries.update({by_uuid[rid].uuid: g for rid, g in plan.geometries().items()})
    first = []
    for _ in range(args.repeat):
        country_borders._CACHE.clear()
        for cached in Path(os.environ["XDG_CACHE_HOME"]).rglob("*.wkb"):
            cached.unlink()
        started = time.perf_counter()
        country_borders.country_outlines(registry, boundaries)
        first.append(time.perf_counter() - started)
    country_borders._CACHE.clear()  # a new start: memory empty, disk cache warm
    warm, _ = timed(lambda: country_borders.country_outlines(registry, boundaries), 1)
    again, _ = timed(lambda: country_borders.country_outlines(registry, boundaries), args.repeat)
    frame = gpd.GeoDataFrame({"country": [str(by_uuid[r].country) for r in by_uuid
                                          if by_uuid[r].uuid in boundaries]},
                             geometry=[boundaries[by_uuid[r].uuid] for r in by_uuid
                                       if by_uuid[r].uuid in boundaries], crs=4326)
    dissolve, dissolved = timed(lambda: frame.dissolve("country"), args.repeat)
    holes = sum(len(p.interiors) for g in dissolved.geometry for p in getattr(g, "geoms", [g]))
    print(f"country borders, computed: {median_ms(first)}")
    print(f"  next start (disk cache): {median_ms(warm)}; same session: {median_ms(again)}")
    print(f"  baseline, GeoDataFrame.dissolve('country'): {median_ms(dissolve)} "
          f"(leaves {holes} holes and hairline gaps drawn as borders; ours leaves none)")


if __name__ == "__main__":
    main()
