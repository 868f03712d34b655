"""Resilience Map: offline desktop GIS for the Strong Cities Network Western Balkans Regional Hub."""

__version__ = "0.1.0"
