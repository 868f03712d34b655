"""The cycle collector is held off during bulk work and always comes back."""

from __future__ import annotations

import gc

import pytest

from resilience_map.store.collector import collector_paused


def test_paused_inside_back_after_also_after_an_error_and_when_nested() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not switch it back on early
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a refused row")
    assert gc.isenabled()
