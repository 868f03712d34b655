"""The municipality table and the window's search box, both following the session's selection."""
