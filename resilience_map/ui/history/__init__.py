"""The History view: who changed what and when, patched as changes are written."""
