"""Keys and pedals: parsing, conflicts, and which widget may take a key."""

import pytest
from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.keymap import KeymapError, KeyRouter, build_keymap, keys_of, parse_key


def test_default_keys_and_pedal_keys_map_to_actions():
    keymap = build_keymap({"record": ["F13"], "estop": ["Ctrl+Shift+Space"]})
    assert keymap[parse_key("R")] == "record"
    assert keymap[parse_key("F13")] == "record"
    assert keymap[QKeyCombination(Qt.Key.Key_Escape)] == "estop"
    assert keymap[parse_key("Ctrl+Shift+Space")] == "estop"
    assert keys_of(keymap, "record") == "R, F13"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"record": ["Foo"]}, r"ui.keys.record: 'Foo' is not one key \(fix: a Qt key name"),
        ({"record": ["Ctrl+R, Ctrl+S"]}, r"ui.keys.record: 'Ctrl\+R, Ctrl\+S' is not one key"),
        ({"success": ["R"]}, "ui.keys.success: 'R' is already the key of 'record'"),
    ],
)
def test_bad_keys_are_rejected_naming_the_field(keys, message):
    with pytest.raises(KeymapError, match=message):
        build_keymap(keys)


@pytest.fixture
def window(qtbot, qapp):
    calls: list[tuple[str, object]] = []
    actions = {
        "record": lambda: calls.append(("record", None)),
        "estop": lambda: calls.append(("estop", None)),
        "clutch": lambda pressed: calls.append(("clutch", pressed)),
    }
    widget = QWidget()
    widget.text = QLineEdit()
    QVBoxLayout(widget).addWidget(widget.text)
    qtbot.addWidget(widget)
    router = KeyRouter(widget, build_keymap({}), actions)
    qapp.installEventFilter(router)
    yield widget, router, calls
    qapp.removeEventFilter(router)


def test_text_fields_take_letters_but_never_the_estop_key(qtbot, window):
    widget, _, calls = window
    qtbot.keyClicks(widget.text, "r")
    assert widget.text.text() == "r" and calls == []
    qtbot.keyClick(widget.text, Qt.Key.Key_Escape)
    qtbot.keyClick(widget, Qt.Key.Key_R)
    assert calls == [("estop", None), ("record", None)]


def test_held_key_ignores_auto_repeat_and_is_released_with_focus(qtbot, window):
    widget, router, calls = window
    qtbot.keyPress(widget, Qt.Key.Key_Space)
    qtbot.keyPress(widget, Qt.Key.Key_Space)  # a second press while held changes nothing
    router.release_held()  # what losing focus does
    qtbot.keyRelease(widget, Qt.Key.Key_Space)
    assert calls == [("clutch", True), ("clutch", False)]
