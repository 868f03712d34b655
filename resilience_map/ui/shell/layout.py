"""Where things sit in the window: the map first, everything else when asked.

On a 1366×768 office laptop the map must keep most of the screen. So the side panels
(the municipality profile and the map's layers) share one tabbed dock on the right, and
the three tables (municipalities, records, history) are closed by default: buttons at the
left of the status bar open one of them at a time along the bottom and close it again.
Whatever the user arranges — sizes, tabs, floating docks, which table is open — is saved
in the preferences and restored next time.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QToolButton, QWidget

#: Bump when docks are added, removed or renamed: an older saved layout is then ignored.
STATE_VERSION = 4
GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
#: Share of the window's width for the side docks, and of its height for an open table.
SIDE_SHARE, BOTTOM_SHARE = 0.28, 0.36
SIDE_MIN, SIDE_MAX = 395, 540


def scrolling(widget: QWidget) -> QScrollArea:
    """A narrow dock scrolls rather than forcing a tall window."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class WindowLayout:
    """Builds the docks around the central widget and remembers how the user left them."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.side: list[QDockWidget] = []
        self.bottom: list[QDockWidget] = []
        self.buttons: dict[QDockWidget, QToolButton] = {}
        window.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

    def dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        return dock

    def add_side(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        """A right-hand panel; all of them share one dock area as tabs."""
        dock = self.dock(title, name, widget, Qt.DockWidgetArea.RightDockWidgetArea)
        if self.side:
            self.window.tabifyDockWidget(self.side[0], dock)
        self.side.append(dock)
        return dock

    def add_bottom(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        """A table along the bottom, closed until its status-bar button opens it."""
        dock = self.dock(title, name, widget, Qt.DockWidgetArea.BottomDockWidgetArea)
        dock.hide()
        button = QToolButton()
        button.setObjectName(f"{name}Button")
        button.setText(title)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setToolTip(f"Show or hide the {title.lower()} table")
        button.clicked.connect(lambda _checked=False, d=dock: self.toggle(d))
        dock.visibilityChanged.connect(lambda _v, d=dock: self._sync_button(d))
        self.window.statusBar().addWidget(button)
        self.buttons[dock] = button
        self.bottom.append(dock)
        return dock

    def toggle(self, dock: QDockWidget) -> None:
        """Open this table (closing the others), or close it when it is the open one."""
        if dock.isVisible():
            dock.hide()
            return
        self.show_bottom(dock)

    def show_bottom(self, dock: QDockWidget) -> None:
        for other in self.bottom:
            if other is not dock and not other.isFloating():
                other.hide()
        dock.show()
        dock.raise_()
        height = max(180, int(self.window.height() * BOTTOM_SHARE))
        self.window.resizeDocks([dock], [height], Qt.Orientation.Vertical)

    def _sync_button(self, dock: QDockWidget) -> None:
        self.buttons[dock].setChecked(dock.isVisible())

    def finish(self) -> None:
        """Default proportions, then whatever the user saved last time."""
        if self.side:
            self.side[0].raise_()
        self._restore()
        for dock in self.bottom:
            self._sync_button(dock)

    def fit_side(self) -> None:
        """Side docks take a share of the window's width (within bounds), the map the rest."""
        width = min(SIDE_MAX, max(SIDE_MIN, int(self.window.width() * SIDE_SHARE)))
        if self.side:
            self.window.resizeDocks([self.side[0]], [width], Qt.Orientation.Horizontal)

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)
        else:
            self.window.resize(1280, 740)
        state = settings.value(STATE_KEY)
        if not (isinstance(state, QByteArray) and self.window.restoreState(state, STATE_VERSION)):
            self.fit_side()

    def save(self) -> None:
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        settings.setValue(STATE_KEY, self.window.saveState(STATE_VERSION))
