"""File → Export…: the project's tables, GIS layers and offline HTML map, as ``export`` writes them."""
