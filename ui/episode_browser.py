"""The episode browser: find episodes, play them back, relabel, trim, delete and restore.

Episodes are listed from the dataset's catalog (every station's), filtered by primitive,
object, operator, outcome, station and day (each filter matches a substring, case-insensitive).
Double-click (or Enter) opens an episode in the :class:`~ui.episode_player.EpisodePlayer`.
Relabelling changes only that episode's metadata; trim, delete and restore go through
:mod:`recorder.episode_admin`, which works on a copy and swaps it in, so no other episode can
be touched. Delete moves the episode to the dataset's trash, from where Restore brings it
back; both ask first.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder import episode_admin
from recorder.catalog import Catalog, CatalogRow
from recorder.dataset_store import DatasetStore, DatasetStoreError
from recorder.episode_reader import EpisodeFormatError, open_episode
from ui.episode_player import EpisodePlayer

COLUMNS = ("episode_id", "primitive", "object", "operator", "outcome", "station", "day")
FILTERED = COLUMNS[1:]
HEADERS = ("episode", "primitive", "object", "operator", "outcome", "station", "day", "s")
OUTCOMES = ("", "success", "failure", "discarded")


def _text(row: CatalogRow, column: str) -> str:
    value = getattr(row, column)
    return "" if value is None else str(value)


class RelabelDialog(QDialog):
    """Edit primitive, object, instruction, operator, outcome and notes of one episode."""

    def __init__(self, parent: QWidget, values: dict[str, str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Relabel {values['episode_id']}")
        self.edits: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout(self)
        for key in ("primitive", "object", "instruction", "operator", "notes"):
            self.edits[key] = QLineEdit(values.get(key, ""))
            form.addRow(key.capitalize(), self.edits[key])
        outcome = QComboBox()
        outcome.addItems(OUTCOMES)
        outcome.setCurrentText(values.get("outcome", ""))
        self.edits["outcome"] = outcome
        form.addRow("Outcome", outcome)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def updates(self) -> dict[str, str | None]:
        """The edited fields (outcome None when cleared)."""
        edits = self.edits.items()
        values: dict[str, str | None] = {
            key: edit.text().strip() for key, edit in edits if isinstance(edit, QLineEdit)
        }
        values["outcome"] = self.edits["outcome"].currentText() or None
        return values


class EpisodeBrowser(QWidget):
    """Browse and edit the episodes of a local dataset ``store``.

    ``confirm(title, text)`` asks the operator (a Yes/No box by default; tests replace it).
    """

    def __init__(
        self, store: DatasetStore, confirm: Callable[[str, str], bool] | None = None
    ) -> None:
        super().__init__()
        if store.local_path is None:
            raise ValueError(f"{store.url}: review works on a local dataset folder")
        self.store = store
        self.setWindowTitle(f"Episodes — {store.url}")
        self.confirm = confirm or self._ask
        self.catalog = Catalog(store)
        self.filters = {c: QLineEdit(placeholderText=c) for c in FILTERED}
        for edit in self.filters.values():
            edit.textChanged.connect(self._fill)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.cellDoubleClicked.connect(lambda *_: self.open_selected())
        self.message = QLabel("")
        self.player: EpisodePlayer | None = None
        self._player_box = QVBoxLayout()
        buttons = QHBoxLayout()
        for text, slot in (
            ("Open", self.open_selected),
            ("Relabel…", self.relabel_selected),
            ("Trim to in/out", self.trim_open),
            ("Delete…", self.delete_selected),
            ("Trash…", self.restore_from_trash),
            ("Refresh", self.reload),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        filters = QHBoxLayout()
        for edit in self.filters.values():
            filters.addWidget(edit)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.message)
        right = QWidget()
        right.setLayout(self._player_box)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.resize(1600, 900)
        self._rows: list[CatalogRow] = []
        self.reload()

    def reload(self) -> None:
        """Read the catalog again and redraw the list."""
        try:
            self.catalog.refresh()
        except (DatasetStoreError, OSError) as exc:
            self._say(f"catalog not read: {exc}", error=True)
        self._fill()

    def visible_ids(self) -> list[str]:
        """Ids of the listed episodes, in table order."""
        return [row.episode_id for row in self._rows]

    def select(self, episode_id: str) -> None:
        self.table.selectRow(self.visible_ids().index(episode_id))

    def selected(self) -> CatalogRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def open_selected(self) -> None:
        """Show the selected episode in the player."""
        row = self.selected()
        if row is None:
            return
        try:
            episode = open_episode(self.store.local_path / row.episode_id)
        except (EpisodeFormatError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        if self.player is not None:
            self.player.setParent(None)
            self.player.deleteLater()
        self.player = EpisodePlayer(episode)
        self._player_box.addWidget(self.player)
        self.player.setFocus()
        self._say(f"{row.episode_id}: {episode.metadata.status}, {len(episode.streams)} streams")

    def relabel_selected(self) -> None:
        """Edit the selected episode's labels in a dialog."""
        row = self.selected()
        if row is None:
            return
        meta = self.store.read_metadata(row.episode_id)
        dialog = RelabelDialog(self, meta.model_dump(mode="json", exclude_none=True))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.relabel(row.episode_id, dialog.updates())

    def relabel(self, episode_id: str, updates: dict[str, str | None]) -> None:
        """Change the labels of one episode (others untouched)."""
        try:
            metadata = self.store.update_metadata(episode_id, updates)
        except (DatasetStoreError, ValueError, OSError) as exc:
            self._say(f"not relabelled: {exc}", error=True)
            return
        self.catalog.note(metadata)
        self._fill()
        self._say(f"relabelled {episode_id}")

    def trim_open(self) -> None:
        """Keep only the open episode's samples between the player's in and out marks."""
        if self.player is None:
            self._say("open an episode and set in/out marks (I, O) first", error=True)
            return
        episode_id = self.player.episode.metadata.episode_id
        start_s, end_s = self.player.marks
        text = f"Keep only {start_s:.2f} s to {end_s:.2f} s of {episode_id}?"
        if not self.confirm("Trim episode", text):
            return
        self._close_player()
        self._run(lambda: episode_admin.trim(self.store, episode_id, start_s, end_s), "trimmed")

    def delete_selected(self) -> None:
        """Move the selected episode to the trash, after asking."""
        row = self.selected()
        if row is None:
            return
        text = f"Move {row.episode_id} to the dataset's trash? Restore brings it back."
        if not self.confirm("Delete episode", text):
            return
        if self.player is not None and self.player.episode.metadata.episode_id == row.episode_id:
            self._close_player()
        self._run(lambda: episode_admin.delete(self.store, row.episode_id), "moved to trash")

    def restore_from_trash(self) -> None:
        """Restore the most recently deleted episode, after asking."""
        trashed = episode_admin.list_trash(self.store)
        if not trashed:
            self._say("the trash is empty")
            return
        episode_id = trashed[-1]
        if self.confirm("Restore episode", f"Restore {episode_id} from the trash?"):
            self._run(lambda: episode_admin.restore(self.store, episode_id), "restored")

    def _run(self, action: Callable[[], object], done: str) -> None:
        try:
            action()
        except (DatasetStoreError, ValueError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self.reload()
        self._say(done)

    def _close_player(self) -> None:
        if self.player is not None:
            self.player.setParent(None)
            self.player.deleteLater()
            self.player = None

    def _fill(self) -> None:
        wanted = {c: e.text().strip().casefold() for c, e in self.filters.items() if e.text()}
        self._rows = [
            row
            for row in self.catalog.rows()
            if all(text in _text(row, c).casefold() for c, text in wanted.items())
        ]
        self.table.setRowCount(len(self._rows))
        for i, row in enumerate(self._rows):
            values = [_text(row, c) for c in COLUMNS] + [f"{row.duration_s:.1f}"]
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#ff6060" if error else "")
        self.message.setText(text)
