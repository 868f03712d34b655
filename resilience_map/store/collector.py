"""Python's cycle collector held off during bulk work.

Importing 100,000 values makes several hundred thousand objects that all live until the work is
done (records, their texts, history entries); every full collection meanwhile walks all of them
again, for nothing: they are not garbage yet. A tenth of an import's time went there. What the
work leaves behind is collected as usual afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection inside the block (nested blocks and a collector already off: no-op)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
