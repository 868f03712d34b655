"""Boundary import in the window: read and match a file, let the user decide, apply as one step."""
