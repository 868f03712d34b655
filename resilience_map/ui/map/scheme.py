"""Serves the map page from our URL scheme: our files and Leaflet's, nothing else.

A page loaded from a file: URL may read other local files (with Qt's
LocalContentCanAccessFileUrls, which the page needed for its own assets). Served from
``resilience-map://app/`` the page has an origin of its own with no access to file:,
and this handler answers only the names :func:`maps.page.page_file` lists; any other
request (another path, ``..``, a method other than GET) fails.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlSchemeHandler

from resilience_map.maps.page import QWEBCHANNEL_JS, content_type, page_file
from resilience_map.ui.map.engine import HOST

log = logging.getLogger(__name__)
QWEBCHANNEL_RESOURCE = ":/qtwebchannel/qwebchannel.js"


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers GET requests for the page's files from memory (read once, then cached)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[str, bytes] = {}
        self.refused: list[str] = []

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        name = url.path().lstrip("/")
        if job.requestMethod() != b"GET" or url.host() != HOST:
            self._refuse(job, url.toString(), QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        data = self._read(name)
        if data is None:
            self._refuse(job, url.toString(), QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)  # deleted with the job
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(content_type(name).encode(), buffer)

    def _refuse(self, job: QWebEngineUrlRequestJob, url: str, error: QWebEngineUrlRequestJob.Error) -> None:
        log.warning("map page asked for %s: refused", url)
        self.refused.append(url)
        job.fail(error)

    def _read(self, name: str) -> bytes | None:
        if name in self._cache:
            return self._cache[name]
        if name == QWEBCHANNEL_JS:
            file = QFile(QWEBCHANNEL_RESOURCE)
            if not file.open(QIODevice.OpenModeFlag.ReadOnly):
                return None
            data = bytes(file.readAll().data())
        else:
            path = page_file(name)
            if path is None:
                return None
            data = path.read_bytes()
        self._cache[name] = data
        return data
