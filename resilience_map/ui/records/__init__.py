"""The Records view: every record type in an editable table, patched from change events."""
