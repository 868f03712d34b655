"""Exports of tables (CSV, XLSX) and GIS layers (GeoPackage, GeoJSON).

:class:`ExportData` reads a project once and resolves references to names; the
writers turn it into files. :mod:`resilience_map.exporting` is the entry point
that also covers the offline HTML map (drawn by :mod:`resilience_map.maps`).
"""

from resilience_map.io.exports.snapshot import ExportData, ExportError

__all__ = ["ExportData", "ExportError"]
