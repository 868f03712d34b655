"""The window's frame: menus, undo/redo, files, errors, layout, status — assembled by main_window."""
