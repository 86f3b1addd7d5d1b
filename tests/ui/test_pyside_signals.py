"""PySide6 6.12.0 leaked a reference to True on every Signal.emit() and aborted the
interpreter after a few thousand emits; pyproject excludes it. This guards the pin."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    changed = Signal(bool)


def test_tens_of_thousands_of_emits_keep_bool_refcounts(qtbot):
    emitter = Emitter()
    received = [0]

    def count(value: bool) -> None:
        received[0] += value

    emitter.changed.connect(count)
    before = sys.getrefcount(True)
    for _ in range(50_000):
        emitter.changed.emit(True)
    after = sys.getrefcount(True)
    assert received[0] == 50_000
    assert abs(after - before) < 1_000
