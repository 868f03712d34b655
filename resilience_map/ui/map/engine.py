"""QtWebEngine set-up that must happen before the QApplication exists.

* Our URL scheme is registered (QtWebEngine only accepts schemes registered before
  start-up), so the page is served from memory by :mod:`.scheme`, not from files.
* Chromium flags are added to ``QTWEBENGINE_CHROMIUM_FLAGS`` (read when QtWebEngine
  starts), each for a reason:

  - WebRTC may only use proxied UDP; the app sets no proxy, so no UDP packet ever
    leaves the page (WebRTC traffic does not pass the request interceptor).
  - One renderer process: the app shows one page; export images reuse its process.
  - A 1 MiB young generation for the page's JavaScript: the page keeps a few MB of live
    data, and V8's default 16 MiB nursery only raises the renderer's peak (by ~17 MiB,
    measured) at the price of fewer sub-millisecond minor collections.
  - Without a sandbox (root, CI) the zygote processes only cost memory (~220 MiB of
    resident pages counted per process), so they are switched off too. With the
    sandbox on, the zygote is part of it and stays.
"""

from __future__ import annotations

import os

from PySide6.QtWebEngineCore import QWebEngineUrlScheme

SCHEME = b"resilience-map"
HOST = "app"
PAGE_URL = f"{SCHEME.decode()}://{HOST}/index.html"

#: Flags always added, with the reason above.
CHROMIUM_FLAGS = (
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--renderer-process-limit=1",
    "--js-flags=--max-semi-space-size=1",
)
#: Flags added only when Chromium's sandbox is off anyway.
UNSANDBOXED_FLAGS = ("--no-zygote",)


def prepare_web_engine() -> None:
    """Register the page's scheme and add our Chromium flags; call before the QApplication."""
    register_scheme()
    add_chromium_flags()


def register_scheme() -> None:
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    # Secure: a proper origin for the page (not file:, not opaque). Not Local: the page's
    # origin gives no access to local files, and other content cannot load ours.
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme)
    QWebEngineUrlScheme.registerScheme(scheme)


def sandbox_disabled(flags: str | None = None) -> bool:
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") if flags is None else flags
    return os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") == "1" or "--no-sandbox" in flags.split()


def chromium_flags(existing: str) -> str:
    """``existing`` plus our flags (none twice; the user's own flags are kept)."""
    words = existing.split()
    wanted = list(CHROMIUM_FLAGS) + (list(UNSANDBOXED_FLAGS) if sandbox_disabled(existing) else [])
    names = {w.split("=", 1)[0] for w in words}
    return " ".join(words + [f for f in wanted if f.split("=", 1)[0] not in names])


def add_chromium_flags() -> None:
    name = "QTWEBENGINE_CHROMIUM_FLAGS"
    os.environ[name] = chromium_flags(os.environ.get(name, ""))
