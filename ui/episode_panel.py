"""Episode controls driven by the curriculum checklist.

Primitive and object are chosen from the curriculum, each showing successful episodes against
its target; the combination furthest behind is preselected when the panel opens and again
after every saved episode, and the next suggestions are listed (double-click or the ``next``
key takes the first). Record starts an episode, Stop ends it unlabelled; Success and Failure
end the running episode with that outcome, or label the last one; Discard (confirmed) does the
same with outcome ``discarded``, which no coverage counts. Errors appear in the panel's
message line, never as a blocking dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.checklist import ChecklistView
from app.station import Station, StationError
from recorder.coverage import Cell, Coverage

NOT_ON_HAND = " (not on hand)"
ERROR_STYLE = "color:#ff6060"
INFO_STYLE = "color:#a0c0a0"


def _count(successes: int, target: int) -> str:
    return f"{successes}/{target}"


class EpisodePanel(QWidget):
    """Tag, record and label episodes on ``station``; call :meth:`refresh` from the timer.

    ``operator_changed`` carries the new operator name when the operator field is edited.
    :attr:`last_episode` is the id of the last episode this panel saw end (labelled or not).
    """

    operator_changed = Signal(str)

    def __init__(self, station: Station, operator: str = "") -> None:
        super().__init__()
        self.station = station
        self.last_episode: str | None = None
        self._recording: str | None = None
        self._version = -1
        self._last_saved: tuple[str, str] | None = None
        self._coverage: Coverage | None = None
        self._record_keys = ""
        self.primitive = QComboBox()
        self.object_name = QComboBox()
        self.target = QLabel("")
        self.next_up = QListWidget()
        self.next_up.setMaximumHeight(110)
        self.instruction = QLineEdit(placeholderText="instruction given to the operator")
        self.operator = QLineEdit(operator, placeholderText="operator")
        self.notes = QPlainTextEdit(placeholderText="notes on this episode")
        self.notes.setMaximumHeight(70)
        self.record_button = QPushButton("Record")
        self.success_button = QPushButton("Success")
        self.failure_button = QPushButton("Failure")
        self.discard_button = QPushButton("Discard")
        self.last_label = QLabel("no episode yet")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.confirm: QMessageBox | None = None
        """The open Discard confirmation, if any."""

        self.primitive.currentIndexChanged.connect(self._primitive_chosen)
        self.object_name.currentIndexChanged.connect(self._object_chosen)
        self.next_up.itemDoubleClicked.connect(self._take_suggestion)
        self.operator.editingFinished.connect(
            lambda: self.operator_changed.emit(self.operator_name)
        )
        self.record_button.clicked.connect(self.toggle_recording)
        self.success_button.clicked.connect(lambda: self.finish("success"))
        self.failure_button.clicked.connect(lambda: self.finish("failure"))
        self.discard_button.clicked.connect(self.discard)

        form = QFormLayout()
        form.addRow("Primitive", self.primitive)
        form.addRow("Object", self.object_name)
        form.addRow("Target", self.target)
        form.addRow("Next up", self.next_up)
        form.addRow("Instruction", self.instruction)
        form.addRow("Operator", self.operator)
        form.addRow("Notes", self.notes)
        buttons = QGridLayout()
        buttons.addWidget(self.record_button, 0, 0, 1, 3)
        buttons.addWidget(self.success_button, 1, 0)
        buttons.addWidget(self.failure_button, 1, 1)
        buttons.addWidget(self.discard_button, 1, 2)
        self.record_button.setMinimumHeight(40)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.last_label)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.refresh()

    @property
    def operator_name(self) -> str:
        return self.operator.text().strip()

    def label_keys(self, keys: dict[str, str]) -> None:
        """Show each button's keys (action -> "R, F13") in its label."""
        for button, action in (
            (self.success_button, "success"),
            (self.failure_button, "failure"),
            (self.discard_button, "discard"),
        ):
            button.setText(f"{action.capitalize()} ({keys[action]})")
        self._record_keys = keys["record"]
        self._show_recording(self._recording)

    def selection(self) -> tuple[str, str]:
        """The chosen (primitive, object); empty strings before the curriculum is loaded."""
        return self.primitive.currentData() or "", self.object_name.currentData() or ""

    def select(self, primitive: str, object_name: str) -> None:
        """Choose a combination (names as in the curriculum)."""
        self.primitive.setCurrentIndex(self.primitive.findData(primitive))
        self.object_name.setCurrentIndex(self.object_name.findData(object_name))

    def select_next(self) -> None:
        """Choose the first suggested combination."""
        item = self.next_up.item(0)
        if item is not None:
            self._take_suggestion(item)

    def refresh(self) -> None:
        """Follow the checklist and the station's recording."""
        view = self.station.checklist.view()
        if view.version != self._version:
            self._version = view.version
            self._show_checklist(view)
        recording = self.station.recording
        current = recording.episode_id if recording else None
        if current != self._recording:
            if self._recording is not None and current is None:  # ended elsewhere (E-stop)
                self._ended(self._recording, None)
            self._show_recording(current)

    def toggle_recording(self) -> None:
        """Start an episode with the chosen tags, or stop the running one unlabelled."""
        if self.station.recording is not None:
            self._stop(None)
            return
        primitive, object_name = self.selection()
        if not primitive or not object_name:
            self._say("choose a primitive and an object first", error=True)
            return
        try:
            episode = self.station.start_recording(
                primitive, object_name, self.instruction.text().strip(), self.operator_name
            )
        except StationError as exc:
            self._say(f"cannot record: {exc}", error=True)
            return
        self._say(f"recording {episode}")
        self._show_recording(episode)

    def finish(self, outcome: str) -> None:
        """End the running episode with ``outcome``, or label the last one with it."""
        if self.station.recording is not None:
            self._stop(outcome)
        elif self.last_episode is not None:
            try:
                self.station.relabel(
                    self.last_episode, outcome=outcome, notes=self.notes.toPlainText()
                )
            except StationError as exc:
                self._say(str(exc), error=True)
                return
            self._ended(self.last_episode, outcome)
        else:
            self._say("no episode to label yet", error=True)

    def discard(self) -> None:
        """Ask to confirm, then :meth:`finish` with ``discarded``."""
        target = self.station.recording.episode_id if self.station.recording else self.last_episode
        if target is None:
            self._say("no episode to discard", error=True)
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Discard episode",
            f"Discard {target}? It stays in the dataset, labelled discarded, and counts nowhere.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda _: self._confirmed(box))
        self.confirm = box
        box.open()

    def _confirmed(self, box: QMessageBox) -> None:
        self.confirm = None
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            self.finish("discarded")

    def _stop(self, outcome: str | None) -> None:
        try:
            metadata = self.station.stop_recording(outcome, self.notes.toPlainText())
        except StationError as exc:
            self._say(str(exc), error=True)
            return
        self._ended(metadata.episode_id, metadata.outcome)
        self._show_recording(None)

    def _ended(self, episode_id: str, outcome: str | None) -> None:
        self.last_episode = episode_id
        self.last_label.setText(f"last: {episode_id} — {outcome or 'not labelled'}")
        self._say(f"saved {episode_id}" + (f" as {outcome}" if outcome else ""))
        if outcome is not None:
            self.notes.clear()

    def _show_recording(self, episode: str | None) -> None:
        self._recording = episode
        suffix = f" ({self._record_keys})" if self._record_keys else ""
        self.record_button.setText(("Stop" if episode else "Record") + suffix)
        self.record_button.setStyleSheet(
            "background:#b02020;color:white;font-weight:bold" if episode else ""
        )
        for combo in (self.primitive, self.object_name):
            combo.setEnabled(episode is None)

    def _show_checklist(self, view: ChecklistView) -> None:
        self._coverage = view.coverage
        chosen = self.selection()
        totals: dict[str, list[int]] = {}
        for cell in view.coverage.cells:
            total = totals.setdefault(cell.primitive, [0, 0])
            total[0] += min(cell.tally.successes, cell.target_episodes)
            total[1] += cell.target_episodes
        self.primitive.blockSignals(True)
        self.primitive.clear()
        for name in self.station.checklist.curriculum.primitive_names:
            done, target = totals.get(name, (0, 0))
            self.primitive.addItem(f"{name}   {_count(done, target)}", name)
        self.primitive.blockSignals(False)
        self.next_up.clear()
        for cell in view.next_up:
            count = _count(cell.tally.successes, cell.target_episodes)
            item = QListWidgetItem(f"{cell.primitive} · {cell.object}   {count}")
            item.setData(Qt.ItemDataRole.UserRole, (cell.primitive, cell.object))
            self.next_up.addItem(item)
        saved_since = view.last != self._last_saved
        self._last_saved = view.last
        if (chosen == ("", "") or saved_since) and view.next_up and self._recording is None:
            chosen = (view.next_up[0].primitive, view.next_up[0].object)
        self.primitive.setCurrentIndex(max(self.primitive.findData(chosen[0]), 0))
        self._fill_objects(chosen[1])

    def _cells_of(self, primitive: str) -> list[Cell]:
        cells = self._coverage.cells if self._coverage else []
        return [c for c in cells if c.primitive == primitive]

    def _fill_objects(self, keep: str) -> None:
        self.object_name.blockSignals(True)
        self.object_name.clear()
        for cell in self._cells_of(self.primitive.currentData() or ""):
            text = f"{cell.object}   {_count(cell.tally.successes, cell.target_episodes)}"
            self.object_name.addItem(text + ("" if cell.on_hand else NOT_ON_HAND), cell.object)
        self.object_name.setCurrentIndex(max(self.object_name.findData(keep), 0))
        self.object_name.blockSignals(False)
        self._object_chosen()

    def _primitive_chosen(self) -> None:
        self._fill_objects(self.object_name.currentData() or "")

    def _object_chosen(self) -> None:
        primitive, object_name = self.selection()
        cell = self._coverage.cell(primitive, object_name) if self._coverage else None
        if cell is None:
            self.target.setText("")
            return
        tally = cell.tally
        minutes = (
            f", {tally.success_minutes:.1f}/{cell.target_minutes:g} min"
            if cell.target_minutes
            else ""
        )
        rate = "" if tally.success_rate is None else f", {tally.success_rate:.0%} success"
        self.target.setText(
            f"{_count(tally.successes, cell.target_episodes)} successful episodes{minutes}{rate}"
        )
        if not self.instruction.isModified():
            self.instruction.setText(f"{primitive} the {object_name}")

    def _take_suggestion(self, item: QListWidgetItem) -> None:
        if self._recording is None:
            self.select(*item.data(Qt.ItemDataRole.UserRole))

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message.setText(text)
