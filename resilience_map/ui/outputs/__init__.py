"""Print maps and briefings from the window: dialogs, a worker process, progress and result."""
