"""The map page is isolated: no WebRTC traffic, no local files, no network unless asked (real QtWebEngine)."""

from __future__ import annotations

import json
import socket

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage
from tests_helpers import page_eval as js
from tests_helpers import page_run as run

from resilience_map.maps import protocol as p
from resilience_map.ui.map.engine import PAGE_URL


@pytest.fixture
def view(map_host, qtbot):
    qtbot.waitUntil(lambda: map_host.view.is_ready, timeout=30000)
    map_host.view.interceptor.online_basemap = False
    map_host.view.interceptor.blocked.clear()
    return map_host.view


def test_webrtc_sends_no_udp_and_offers_no_local_addresses(view, qtbot) -> None:
    """A peer connection with a STUN server on this machine: without our Chromium flag,
    Chromium gathers host candidates and sends binding requests to that server."""
    stun = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stun.bind(("127.0.0.1", 0))
    stun.setblocking(False)
    port = stun.getsockname()[1]
    run(qtbot, view, f"""window.__rtc = {{ candidates: [], state: 'new' }};
        (async () => {{
          const pc = new RTCPeerConnection({{ iceServers: [{{ urls: 'stun:127.0.0.1:{port}' }}] }});
          pc.onicecandidate = (e) => {{
            if (e.candidate) window.__rtc.candidates.push(e.candidate.candidate);
          }};
          pc.onicegatheringstatechange = () => {{ window.__rtc.state = pc.iceGatheringState; }};
          pc.createDataChannel('probe');
          await pc.setLocalDescription(await pc.createOffer());
          window.__rtc.sdp = pc.localDescription.sdp;
        }})().catch((e) => {{ window.__rtc.state = 'error ' + e; }});""")
    qtbot.waitUntil(lambda: js(qtbot, view, "window.__rtc.state") == "complete", timeout=15000)
    result = js(qtbot, view, "window.__rtc")
    assert result["candidates"] == [], result["candidates"]
    assert " typ host" not in result["sdp"] and " typ srflx" not in result["sdp"]
    with pytest.raises(BlockingIOError):
        stun.recv(2048)  # not one packet reached the STUN server
    stun.close()


def test_page_cannot_read_local_files(view, qtbot, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7261", encoding="utf-8")
    image = tmp_path / "pixel.png"
    image.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
    url, image_url = secret.as_uri(), image.as_uri()
    run(qtbot, view, f"""window.__files = {{}};
        fetch({json.dumps(url)}).then((r) => r.text()).then((t) => {{ window.__files.fetch = t; }},
                                                          (e) => {{ window.__files.fetch = 'refused'; }});
        try {{ const x = new XMLHttpRequest(); x.open('GET', {json.dumps(url)}, false); x.send();
              window.__files.xhr = x.responseText; }} catch (e) {{ window.__files.xhr = 'refused'; }}
        const i = new Image(); i.onload = () => {{ window.__files.img = 'loaded'; }};
        i.onerror = () => {{ window.__files.img = 'refused'; }}; i.src = {json.dumps(image_url)};
        const f = document.createElement('iframe'); f.src = {json.dumps(url)}; document.body.appendChild(f);
        setTimeout(() => {{
          try {{ window.__files.frame = f.contentDocument ? f.contentDocument.body.textContent : 'refused'; }}
          catch (e) {{ window.__files.frame = 'refused'; }}
          f.remove(); }}, 300);""")
    qtbot.waitUntil(lambda: len(js(qtbot, view, "window.__files") or {}) == 4, timeout=10000)
    found = js(qtbot, view, "window.__files")
    assert (found["fetch"], found["xhr"], found["img"]) == ("refused", "refused", "refused")
    assert "TOP-SECRET" not in found["frame"]  # a blocked frame is an empty page


def test_scheme_serves_only_the_page_files(view, qtbot) -> None:
    page = QWebEnginePage(view.profile)
    try:
        for name, ok in (("index.html", True), ("map.py", False), ("leaflet/../map.js", True),
                         ("etc/passwd", False), ("leaflet/leaflet.js.map", False)):
            with qtbot.waitSignal(page.loadFinished, timeout=10000) as finished:
                page.load(QUrl(PAGE_URL.replace("index.html", name)))
            assert finished.args == [ok], name
        assert any(u.endswith("/map.py") for u in view.scheme_handler.refused)
    finally:
        page.deleteLater()


def test_network_is_blocked_unless_the_online_basemap_is_on(view, qtbot) -> None:
    """A page on the map's profile without the map page's own policy: only the interceptor stands."""
    page = QWebEnginePage(view.profile)
    interceptor = view.interceptor
    try:
        with qtbot.waitSignal(page.loadFinished, timeout=10000):
            page.load(QUrl("http://example.com/"))
        assert "http://example.com/" in interceptor.blocked
        run(qtbot, view, "new Image().src = 'https://tile.openstreetmap.org/1/1/1.png'")
        qtbot.waitUntil(lambda: any("tile.openstreetmap.org/1/1/1" in u for u in interceptor.blocked),
                        timeout=5000)
        interceptor.blocked.clear()
        interceptor.online_basemap = True
        with qtbot.waitSignal(page.loadFinished, timeout=20000):
            page.load(QUrl("https://tile.openstreetmap.org/2/1/1.png"))
        with qtbot.waitSignal(page.loadFinished, timeout=10000):
            page.load(QUrl("https://example.org/t"))
        assert interceptor.blocked == ["https://example.org/t"]
    finally:
        interceptor.online_basemap = False
        page.deleteLater()


def test_unknown_messages_are_reported_in_both_directions(view, qtbot) -> None:
    with qtbot.waitSignal(view.protocol_error, timeout=5000) as down:
        view.bridge.send.emit('{"op": "explode"}')  # a message the page has no handler for
    assert "no handler for 'explode'" in down.args[0]
    with qtbot.waitSignal(view.protocol_error, timeout=5000) as up:
        run(qtbot, view, 'RM.ctx.post("teleport", {to: "mars"})')  # through the real channel
    assert "unknown message 'teleport'" in up.args[0]


def test_python_handles_every_message_the_page_can_send(view) -> None:
    assert set(view.handlers) == set(p.FROM_PAGE.values())
