"""The typed map-page protocol: both sides know every message, nothing else travels (no Qt)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from resilience_map.maps import protocol as p
from resilience_map.maps.map_data import MapGeometry, load_project

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
PAGE_SCRIPTS = sorted(RESOURCES.glob("map*.js"))


def page_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in PAGE_SCRIPTS)


def page_handlers() -> set[str]:
    """The keys of the HANDLERS table in map.js."""
    source = (RESOURCES / "map.js").read_text(encoding="utf-8")
    table = re.search(r"const HANDLERS = \{(.*?)\n  \};", source, re.S)
    assert table, "map.js must keep its handlers in one HANDLERS table"
    return set(re.findall(r"(\w+):", table.group(1)))


def page_posts() -> set[str]:
    """Every op the page posts to Python: post("op", …)."""
    return set(re.findall(r'\bpost\("(\w+)"', page_source()))


def test_every_message_to_the_page_has_a_handler_there_and_no_handler_lacks_a_message() -> None:
    assert page_handlers() == set(p.TO_PAGE)


def test_every_message_the_page_posts_is_a_known_type_and_every_type_is_posted() -> None:
    assert page_posts() == set(p.FROM_PAGE)


def test_ops_are_unique_across_both_directions() -> None:
    assert not set(p.TO_PAGE) & set(p.FROM_PAGE)
    assert all(cls.op == op for op, cls in {**p.TO_PAGE, **p.FROM_PAGE}.items())


def test_no_evaluation_of_scripts_in_the_page_or_the_protocol() -> None:
    source = re.sub(r"/\*.*?\*/|//[^\n]*", "", page_source(), flags=re.S)  # code, not comments
    forbidden = r"\beval\s*\(|new Function\s*\(|innerHTML|insertAdjacentHTML|document\.write"
    assert not re.search(forbidden, source)
    assert not any("eval" in op for op in {*p.TO_PAGE, *p.FROM_PAGE})
    html = (RESOURCES / "map.html").read_text(encoding="utf-8")
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy and "connect-src 'none'" in policy
    assert "<script>" not in html  # no inline script (the policy would refuse it anyway)


def test_encoding_embeds_raw_geojson_and_refuses_invalid_numbers() -> None:
    geometry = MapGeometry()
    message = load_project([], geometry, [], [])
    text = p.encode(message)
    data = json.loads(text)
    assert data["op"] == "load" and data["polygons"] == {"type": "FeatureCollection", "features": []}
    # project text that looks like a marker is never replaced
    assert p.encode(p.Select("x\x00raw0\x00", zoom=False)).count("raw0") == 1
    with pytest.raises(ValueError):
        p.encode(p.ApplyStyle({"u": {"c": "#fff", "k": 0, "v": float("nan")}}, None))


@pytest.mark.parametrize("text, words", [
    ("not json", "not JSON"),
    ("[1, 2]", "not an object"),
    ('{"op": "eval", "script": "1"}', "unknown message 'eval'"),
    ('{"op": "unit_clicked"}', "missing fields ['id']"),
    ('{"op": "unit_clicked", "id": "x", "extra": 1}', "unknown fields ['extra']"),
])
def test_unreadable_or_unknown_page_messages_are_errors(text: str, words: str) -> None:
    with pytest.raises(p.ProtocolError, match=re.escape(words)):
        p.decode(text)


def test_page_messages_decode_into_their_dataclasses() -> None:
    assert p.decode('{"op": "unit_clicked", "id": "abc"}') == p.UnitClicked("abc")
    bounds = p.decode('{"op": "bounds", "token": 3, "bounds": [1, 2, 3, 4]}')
    assert bounds == p.BoundsReported(3, [1, 2, 3, 4])


def test_chromium_flags_are_added_once_and_respect_the_users(monkeypatch: pytest.MonkeyPatch) -> None:
    from resilience_map.ui.map.engine import chromium_flags

    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    flags = chromium_flags("--disable-gpu --no-sandbox").split()
    assert "--force-webrtc-ip-handling-policy=disable_non_proxied_udp" in flags
    assert "--no-zygote" in flags  # the sandbox is off anyway: the zygote only costs memory
    assert chromium_flags(" ".join(flags)).split() == flags  # nothing twice
    assert "--no-zygote" not in chromium_flags("--disable-gpu").split()  # the sandbox needs it
    own = chromium_flags("--js-flags=--expose-gc").split()  # the user's own V8 flags win
    assert "--js-flags=--expose-gc" in own and not any(f.startswith("--js-flags=--max") for f in own)
