"""File → Import table…: study results, prevention structures and notes from CSV or Excel."""
