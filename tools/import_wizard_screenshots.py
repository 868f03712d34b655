"""Screenshots of File → Import table… on a 1366×768 laptop screen, for the README.

Run under a real X server with a laptop-sized screen, so the wizard is laid out as users
see it (it must fit, buttons included):

    xvfb-run -s "-screen 0 1366x768x24" \
        python tools/import_wizard_screenshots.py DEMO.gpkg docs/screenshots

Opens the window full-screen on the project, writes an example survey export (a wide
Kobo-style table, names in Cyrillic and Albanian forms, one unknown name, one value out
of scale, one indicator the project lacks) to a temporary folder, and walks the wizard:
saves ``import-wizard-mapping.png`` and ``import-wizard-preview.png`` (the whole screen,
window behind the wizard; ``--all`` adds the file and names steps). Nothing is imported.
Preferences stay in a temporary folder.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from private_home import private_home  # noqa: E402 (tools/ is on the path from here)

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

EXAMPLE = [  # an invented example survey export (not study results)
    ["grp_place/opstina", "grp_scores/brave14", "grp_scores/score_trust", "grp_scores/youth_hope",
     "_submission_time", "_notes"],
    ["Куманово", "51", "6.1", "3.5", "2024-05-01", "Example data – not study results"],
    ["Чаир", "47", "5.4", "3.1", "2024-05-02", ""],
    ["Prishtinë", "55", "6.8", "3.9", "2024-05-02", ""],
    ["Komuna e Gjakovës", "49", "6.0", "3.2", "2024-05-03", ""],
    ["Bashkia Shkodër", "44", "5.1", "2.9", "2024-05-03", ""],
    ["Ćuprija", "99", "5.2", "2.5", "2024-05-04", ""],
    ["Нови Пазар", "46", "4.9", "2.8", "2024-05-04", ""],
    ["Bijelo Polje", "50", "5.7", "3.4", "2024-05-05", ""],
    ["Springfield", "41", "4.4", "2.2", "2024-05-05", ""],
]


def wait(app, condition, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)


def screen_shot(app, path: Path) -> None:
    wait(app, lambda: False, 0.8)
    app.primaryScreen().grabWindow(0).save(str(path))
    print(path)


def main() -> None:
    project, out = Path(sys.argv[1]), Path(sys.argv[2])
    home = private_home()
    from PySide6.QtCore import QSettings

    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    app = create_application()
    QSettings().setValue("author_name", "Screenshots")
    size = app.primaryScreen().size()
    if (size.width(), size.height()) != (1366, 768):
        sys.exit(f"run on a 1366×768 screen (this one is {size.width()}×{size.height()}); see the docstring")
    window = MainWindow()
    window.setGeometry(app.primaryScreen().availableGeometry())
    window.show()
    window.open_project(project)
    table = home / "example-survey.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(EXAMPLE)
    wizard = window.tables.open_wizard(table)
    wait(app, lambda: wizard.table is not None, 30)
    if "--all" in sys.argv:
        screen_shot(app, out / "import-wizard-file.png")
    wizard.next_button.click()
    wizard.mapping_page.choose_field("grp_scores/youth_hope", "indicator:YOUTH_HOPE")
    wizard.mapping_page.choose_wave("Spring survey 2024")
    wizard.mapping_page.create_indicators.setChecked(True)
    wizard.mapping_page.new_indicators.set_scale("YOUTH_HOPE", "1", "5")
    fits = wizard.frameGeometry()
    print(f"wizard {fits.width()}×{fits.height()} at ({fits.x()}, {fits.y()}) on 1366×768")
    out.mkdir(parents=True, exist_ok=True)
    screen_shot(app, out / "import-wizard-mapping.png")
    wizard.next_button.click()
    wait(app, lambda: wizard.stack.currentWidget() is wizard.names_page, 30)
    names = wizard.names_page
    if "--all" in sys.argv:
        screen_shot(app, out / "import-wizard-names.png")
    names.skip_current()
    wizard.next_button.click()
    wait(app, lambda: wizard.stack.currentWidget() is wizard.preview_page, 30)
    preview = wizard.preview_page
    preview.show_only.setCurrentIndex(0)  # every row: file row → result → reason
    screen_shot(app, out / "import-wizard-preview.png")
    wizard.reject()
    window.close()


if __name__ == "__main__":
    main()
