"""Empty states that say what to do next, over the map.

A new project holds the region's municipalities and nothing else: no study waves, no
indicators, no values (the map stays grey). Instead of a blank map the window shows a
small card naming the next step, with a button that takes it. The card follows the
session — it shrinks as steps are done and disappears when the project has everything
the map needs to colour it.

Missing boundaries are the map's own to explain (its guide, in the map's column: where
boundaries come from and how to credit them, ``maps.guide``), so no sentence shows twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from resilience_map.session import ProjectClosed, ProjectOpened, ProjectSession, RecordsChanged
from resilience_map.ui.events import follow

CARD_STYLE = ("QFrame#guide { background: #ffffff; border: 1px solid #9fb3c8;"
              " border-radius: 6px; } QLabel { color: #1d2b36; }")
MARGIN = 12
WIDTH = 360


@dataclass(frozen=True)
class Step:
    """One thing the project still needs, and the action that does it."""

    text: str
    button: str
    action: Callable[[], object]


class GuideActions:
    """What the card's buttons do (the window's menu actions)."""

    def __init__(self, new_project: Callable[[], object], open_project: Callable[[], object],
                 new_wave: Callable[[], object], new_indicator: Callable[[], object],
                 add_value: Callable[[], object]) -> None:
        self.new_project, self.open_project = new_project, open_project
        self.new_wave, self.new_indicator, self.add_value = new_wave, new_indicator, add_value


def next_steps(session: ProjectSession, actions: GuideActions) -> list[Step]:
    """What this project lacks, in the order a practitioner would do it."""
    if session.store is None:
        return [Step("No project is open. Start a new one with every municipality of the six countries, "
                     "or open an existing project file.", "New project…", actions.new_project),
                Step("", "Open…", actions.open_project)]
    ix, steps = session.indexes, []
    if session.store.read_only:
        return []
    if not len(ix.waves):
        steps.append(Step("No study waves yet: a wave is one round of a resilience study; indicator values "
                          "belong to one. Study results in a table (CSV, Excel) bring their waves "
                          "with them: File → Import table….",
                          "New study wave…", actions.new_wave))
    if not len(ix.indicators):
        steps.append(Step("No indicators yet: say what is measured and on which scale.", "New indicator…",
                          actions.new_indicator))
    if len(ix.waves) and len(ix.indicators) and not len(ix.values):
        steps.append(Step("No indicator values yet, so the map has nothing to colour: add them here, one "
                          "municipality at a time, or import a study table with File → Import "
                          "table….", "Add a value…", actions.add_value))
    return steps


class GuideCard(QFrame):
    """The card, floating at the top centre of the map (clear of the zoom buttons, badge and
    legend); it can be dismissed until the next project is opened."""

    def __init__(self, session: ProjectSession, host: QWidget, actions: GuideActions) -> None:
        super().__init__(host)
        self.setObjectName("guide")
        self.setStyleSheet(CARD_STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.session, self.guide_actions = session, actions
        self.dismissed = False
        self.steps: list[Step] = []
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(12, 8, 8, 10)
        host.installEventFilter(self)
        follow(self, session, {ProjectOpened: self._restart, ProjectClosed: self._restart,
                               RecordsChanged: lambda _e: self.update_steps()})
        self.update_steps()

    def _restart(self, _event: object) -> None:
        self.dismissed = False
        self.update_steps()

    def update_steps(self) -> None:
        steps = next_steps(self.session, self.guide_actions)
        if [s.text for s in steps] != [s.text for s in self.steps]:
            self.steps = steps
            self._rebuild()
        self.setVisible(bool(steps) and not self.dismissed)
        self._place()
        QTimer.singleShot(0, self._place)  # again once new labels are polished (their font is known)

    def _rebuild(self) -> None:
        while self.box.count():
            item = self.box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater alone leaves it drawn until the next loop turn
                widget.deleteLater()
        close = QToolButton(self)
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Hide these hints until the project is opened again")
        close.clicked.connect(self.dismiss)
        self.box.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        for step in self.steps:
            if step.text:
                label = QLabel(step.text, self)
                label.setWordWrap(True)
                label.setTextFormat(Qt.TextFormat.PlainText)
                self.box.addWidget(label)
            button = QPushButton(step.button, self)
            button.clicked.connect(step.action)
            self.box.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def texts(self) -> list[str]:
        """What the card says (for tests and screen readers)."""
        return [s.text for s in self.steps if s.text]

    def _place(self) -> None:
        host = self.parentWidget()
        width = host.width() if host is not None else WIDTH
        card = min(WIDTH, max(200, width - 2 * MARGIN))
        self.setFixedWidth(card)
        self.box.activate()
        height = self.box.totalHeightForWidth(card)  # wrapped sentences need their height
        self.setFixedHeight(height if height > 0 else self.box.totalSizeHint().height())
        self.move(max(MARGIN, (width - self.width()) // 2), MARGIN)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
