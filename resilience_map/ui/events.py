"""Session events delivered to Qt widgets for as long as the widget lives.

The session's bus is plain Python and knows nothing of Qt object lifetimes: a view that
was closed and deleted must stop listening, or the next edit would reach a dead C++
object. :func:`follow` subscribes and unsubscribes when the widget is destroyed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject

from resilience_map.session import Event, ProjectSession


def follow(owner: QObject, session: ProjectSession,
           handlers: Mapping[type[Event], Callable[[Any], None]]) -> Callable[[], None]:
    """Call each handler for its event type until ``owner`` is destroyed; returns "stop"."""
    stops = [session.events.subscribe(event_type, handler) for event_type, handler in handlers.items()]

    def stop(*_args: object) -> None:
        while stops:
            with contextlib.suppress(ValueError):  # already removed
                stops.pop()()

    owner.destroyed.connect(stop)
    return stop
