"""Operator keys: one key map for the keyboard and foot pedals, routed before any widget.

Foot pedals are USB keyboards that type keys, so a pedal is an extra key bound to an action in
``[ui.keys]`` (e.g. ``record = ["F13"]``). :class:`KeyRouter` filters key events for the whole
application, ahead of focus and shortcuts:

- ``estop`` keys fire whatever has focus, including a text field or an open dialog;
- ``clutch`` is held: pressed on key down, released on key up (auto-repeat ignored) and
  released whenever the window loses focus, so it can never stay stuck;
- every other action fires on key down in this window, unless a text field has focus (the
  letters are typed) or a dialog is open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.config import UI_ACTIONS

DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "estop": ("Escape", "Pause"),
    "engage": ("E",),
    "disengage": ("D",),
    "record": ("R",),
    "success": ("S",),
    "failure": ("F",),
    "discard": ("X",),
    "next": ("N",),
    "clutch": ("Space",),
    "raw": ("T",),
    "baseline": ("B",),
    "align": ("A",),
}
"""Keys of each action before ``[ui.keys]`` adds the station's own (pedals)."""
ALWAYS = frozenset({"estop"})
HELD = frozenset({"clutch"})
_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)


class KeymapError(ValueError):
    """A key in ``[ui.keys]`` is not a key, or is bound twice; the message says which."""


def parse_key(text: str) -> QKeyCombination:
    """One key with optional modifiers (``"F13"``, ``"Ctrl+R"``) as a key combination."""
    sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    if sequence.count() != 1 or sequence[0].key() in (Qt.Key.Key_unknown, 0):
        raise ValueError(f"{text!r} is not one key")
    return sequence[0]


def build_keymap(extra: Mapping[str, Sequence[str]]) -> dict[QKeyCombination, str]:
    """Key -> action from :data:`DEFAULT_KEYS` plus ``extra`` (``[ui.keys]``)."""
    keymap: dict[QKeyCombination, str] = {}
    for action in UI_ACTIONS:
        for text in (*DEFAULT_KEYS[action], *extra.get(action, ())):
            where = f"ui.keys.{action}"
            try:
                combo = parse_key(text)
            except ValueError as exc:
                raise KeymapError(
                    f"{where}: {exc} (fix: a Qt key name such as F13, Space, PgDown or Ctrl+R)"
                ) from None
            bound = keymap.get(combo)
            if bound is not None and bound != action:
                raise KeymapError(
                    f"{where}: {text!r} is already the key of {bound!r} (fix: pick another key)"
                )
            keymap[combo] = action
    return keymap


def keys_of(keymap: Mapping[QKeyCombination, str], action: str) -> str:
    """The keys of ``action`` for a button label, e.g. ``"R, F13"``."""
    return ", ".join(
        QKeySequence(combo).toString(QKeySequence.SequenceFormat.NativeText)
        for combo, bound in keymap.items()
        if bound == action
    )


def _typing_into(widget: QWidget | None) -> bool:
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, _TEXT_INPUTS)


class KeyRouter(QObject):
    """Routes key presses to actions for one window (install on the QApplication).

    ``actions`` maps an action name to a callable; held actions (``clutch``) get a bool.
    """

    def __init__(
        self,
        window: QWidget,
        keymap: Mapping[QKeyCombination, str],
        actions: Mapping[str, Callable[..., object]],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._keymap = dict(keymap)
        self._actions = actions
        self._held: set[str] = set()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ApplicationDeactivate or (
            kind == QEvent.Type.WindowDeactivate and watched is self._window
        ):
            self.release_held()
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        combo = QKeyCombination(
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier, Qt.Key(event.key())
        )
        action = self._keymap.get(combo)
        if action is None or action not in self._actions:
            return False
        if action not in ALWAYS:
            # The event reaches the focus widget after its window; judge it there.
            if not isinstance(watched, QWidget) or watched.window() is not self._window:
                return False
            if _typing_into(watched) or QApplication.activeModalWidget():
                return False
        pressed = kind == QEvent.Type.KeyPress
        if event.isAutoRepeat():
            return True
        if action in HELD:
            if pressed != (action in self._held):
                self._held.symmetric_difference_update({action})
                self._actions[action](pressed)
        elif pressed:
            self._actions[action]()
        return True

    def release_held(self) -> None:
        """Release every held action (the window lost focus)."""
        for action in sorted(self._held):
            self._actions[action](False)
        self._held.clear()
