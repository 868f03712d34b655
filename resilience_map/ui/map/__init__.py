"""The map feature: Leaflet page in a QWebEngineView and its layer panel.

``MapFeature(session, parent)`` is all a window needs; ``prepare_web_engine()`` must run
before the QApplication is created (``ui.app.create_application`` does it).
"""

from resilience_map.ui.map.engine import prepare_web_engine
from resilience_map.ui.map.feature import MapFeature

__all__ = ["MapFeature", "prepare_web_engine"]
