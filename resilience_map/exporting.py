"""Exports in every format: the one entry point the ``export`` command and File → Export share.

Tables and GIS layers are written by :mod:`resilience_map.io.exports`, the offline
HTML map by :mod:`resilience_map.maps.offline_page`; this module reads the project
once (read-only) and hands the data to the writer of the chosen format. It sits
above both packages, as the command line does, so neither has to know the other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from resilience_map.io.exports.snapshot import ExportData, ExportError

FORMATS = ("csv", "xlsx", "gpkg", "geojson", "html")


@dataclass(frozen=True)
class ExportOptions:
    format: str
    wave: str | None = None
    indicator: str | None = None
    names: str = "latin"
    records: str = "indicator_values"  # CSV: which record table


def export_project(project: str | Path, out: str | Path, options: ExportOptions) -> Path:
    """Write the export to ``out`` (built aside and renamed, so a failure leaves no half file)."""
    from resilience_map.store import ProjectStore

    if options.format not in FORMATS:
        raise ExportError(f"unknown export format {options.format!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    geometry = options.format in ("gpkg", "geojson", "html")
    with ProjectStore.open(project, read_only=True) as store:
        data = ExportData.read(store, names=options.names, wave=options.wave,
                               indicator=options.indicator, boundaries=geometry)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.partial{out.suffix}")
    try:
        _write(data, tmp, options)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _write(data: ExportData, path: Path, options: ExportOptions) -> None:
    if options.format == "csv":
        from resilience_map.io.exports.spreadsheets import write_csv

        write_csv(data, path, options.records)
    elif options.format == "xlsx":
        from resilience_map.io.exports.spreadsheets import write_xlsx

        write_xlsx(data, path)
    elif options.format == "html":
        from resilience_map.maps.offline_page import write_html

        write_html(data, path)
    else:
        from resilience_map.io.exports.gis import write_gis

        write_gis(data, path, options.format)
