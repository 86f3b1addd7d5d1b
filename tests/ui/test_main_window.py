"""The main window driven with the simulated station, as an operator would: keys and buttons."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.state_machine import State
from app.station import Station
from calibration.profiles import GloveCalibration, OperatorProfile, save_profile
from recorder.episode_reader import list_episodes
from ui.main_window import MainWindow


@pytest.fixture
def open_window(qtbot):
    def make(station: Station, operator: str = "ada") -> MainWindow:
        window = MainWindow(station, operator=operator)
        qtbot.addWidget(window)
        window.show()
        return window

    return make


def _ready(qtbot, station: Station) -> None:
    assert station.wait_for(station.inputs_ready, 15.0)


def test_panels_follow_the_live_station(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station)
        _ready(qtbot, station)
        head = window.cameras.views["camera_head"]
        qtbot.waitUntil(lambda: window.frames_drawn >= 5, timeout=10_000)
        assert head.image_item.image.shape == (120, 160, 3)
        assert not head.no_signal
        qtbot.waitUntil(
            lambda: window.status.streams.rowCount() == len(station.specs), timeout=5_000
        )
        streams = window.status.streams
        names = [streams.text(r, 0) for r in range(streams.rowCount())]
        assert "tactile_right_thumb" in names and "control" in names
        assert window.status.devices.rowCount() == len(station.config.devices)
        qtbot.waitUntil(lambda: window.touch.mosaic is not None, timeout=5_000)
        assert window.status.disk_label.text().startswith("disk:")
        assert "control loop 200 Hz" in window.status.loop_label.text()
        assert window.episode.selection()[0]  # the suggested combination is preselected


def test_recording_through_keys_saves_a_tagged_labelled_episode(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station, operator="grace")
        _ready(qtbot, station)
        panel = window.episode
        panel.select("pour", "mug")
        panel.instruction.setText("pour the mug into the bowl")
        panel.instruction.setModified(True)
        qtbot.keyClick(window, Qt.Key.Key_E)
        qtbot.waitUntil(lambda: station.state is State.ENGAGED, timeout=5_000)
        qtbot.keyClick(window, Qt.Key.Key_R)
        assert station.recording is not None
        qtbot.waitUntil(
            lambda: window.status.episode_label.text().startswith("● REC"), timeout=3_000
        )
        qtbot.wait(1000)
        panel.notes.setPlainText("spilled a little")
        qtbot.keyClick(window, Qt.Key.Key_S)
        assert station.recording is None
        assert panel.last_label.text().endswith("success")
        panel.refresh()
        assert panel.selection() != ("pour", "mug")  # the next combination is up
        targets = station.checklist.curriculum.targets
        pour = sum(t.episodes for t in targets if t.primitive == "pour")
        mug = next(t.episodes for t in targets if (t.primitive, t.object) == ("pour", "mug"))
        assert panel.primitive.itemText(panel.primitive.findData("pour")).endswith(f" 1/{pour}")
        panel.select("pour", "mug")
        assert panel.target.text().startswith(f"1/{mug} successful episodes")
        episodes = list_episodes(station.dataset_store.local_path)
    assert len(episodes) == 1
    meta = episodes[0][1]
    assert (meta.primitive, meta.object, meta.outcome) == ("pour", "mug", "success")
    assert (meta.operator, meta.instruction) == ("grace", "pour the mug into the bowl")
    assert meta.notes == "spilled a little" and meta.status == "complete"
    assert meta.streams["camera_head"].count > 10


def test_stop_then_failure_key_labels_the_last_episode_and_discard_asks_first(
    qtbot, station_config, open_window
):
    with Station(station_config()) as station:
        window = open_window(station)
        _ready(qtbot, station)
        panel = window.episode
        qtbot.keyClick(window, Qt.Key.Key_R)
        episode = station.recording.episode_id
        chosen = panel.selection()
        qtbot.wait(300)
        qtbot.keyClick(window, Qt.Key.Key_R)
        assert station.recording is None and panel.last_episode == episode
        qtbot.waitUntil(lambda: panel.selection() != chosen, timeout=2_000)  # next one up
        qtbot.keyClick(window, Qt.Key.Key_F)
        assert _outcome(station, episode) == "failure"
        qtbot.keyClick(window, Qt.Key.Key_X)
        assert panel.confirm is not None
        panel.confirm.button(QMessageBox.StandardButton.No).click()
        assert _outcome(station, episode) == "failure"
        qtbot.keyClick(window, Qt.Key.Key_X)
        panel.confirm.button(QMessageBox.StandardButton.Yes).click()
        assert _outcome(station, episode) == "discarded"


def _outcome(station: Station, episode: str) -> str | None:
    return dict(list_episodes(station.dataset_store.local_path))[episode].outcome


def test_recording_refused_while_inputs_are_stale_says_why(qtbot, station_config, open_window):
    config = station_config({"glove_left": {"disconnect_s": [[0.0, 60.0]]}})
    with Station(config) as station:
        window = open_window(station)
        qtbot.keyClick(window, Qt.Key.Key_R)
        assert station.recording is None
        assert "stale" in window.episode.message.text()


def test_estop_button_and_key_latch_whatever_has_focus(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station)
        _ready(qtbot, station)
        qtbot.mouseClick(window.estop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: station.state is State.ESTOP, timeout=2_000)
        qtbot.waitUntil(lambda: window.status.state_label.text() == "ESTOP", timeout=2_000)
        qtbot.keyClick(window, Qt.Key.Key_E)  # engage does not clear a latched E-stop
        qtbot.wait(300)
        assert station.state is State.ESTOP
        for focus in (window.episode.notes, window.episode.instruction):
            station.reset_estop()
            qtbot.waitUntil(lambda: station.state is State.IDLE, timeout=2_000)
            focus.setFocus()
            qtbot.keyClick(focus, Qt.Key.Key_Escape)
            qtbot.waitUntil(lambda: station.state is State.ESTOP, timeout=2_000)
        station.reset_estop()
        qtbot.waitUntil(lambda: station.state is State.IDLE, timeout=2_000)
        window.episode.instruction.clearFocus()
        qtbot.keyClick(window, Qt.Key.Key_R)
        qtbot.keyClick(window, Qt.Key.Key_X)  # a modal confirmation is open
        assert window.episode.confirm is not None
        qtbot.keyClick(window.episode.confirm, Qt.Key.Key_Pause)
        qtbot.waitUntil(lambda: station.state is State.ESTOP, timeout=2_000)
        qtbot.waitUntil(lambda: station.recording is None, timeout=5_000)  # stopped cleanly


def test_letters_typed_into_notes_are_text_not_commands(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station)
        _ready(qtbot, station)
        notes = window.episode.notes
        notes.setFocus()
        qtbot.keyClicks(notes, "red")
        qtbot.wait(300)
        assert notes.toPlainText() == "red"
        assert station.state is State.IDLE and station.recording is None


def test_unplugged_glove_shows_in_health_and_holds_the_robot(qtbot, station_config, open_window):
    config = station_config({"glove_left": {"disconnect_s": [[3.0, 6.0]]}})
    with Station(config) as station:
        window = open_window(station)
        _ready(qtbot, station)
        qtbot.keyClick(window, Qt.Key.Key_E)
        qtbot.waitUntil(lambda: station.state is State.HOLD, timeout=8_000)
        qtbot.waitUntil(
            lambda: _cell(window.status.devices, "glove_left", 1) == "NO", timeout=3_000
        )
        assert window.status.state_label.text() in ("HOLD", "ENGAGED")
        qtbot.waitUntil(lambda: window.status.state_label.text() == "HOLD", timeout=2_000)
        assert "glove_left" in window.status.reason_label.text()
        qtbot.waitUntil(
            lambda: float(_cell(window.status.streams, "glove_left", 2)) > 100, timeout=2_000
        )


def _cell(table, row_name: str, column: int) -> str:
    for row in range(table.rowCount()):
        if table.text(row, 0) == row_name:
            return table.text(row, column)
    return ""


def test_clutch_is_held_with_its_key(qtbot, station_config, open_window, monkeypatch):
    with Station(station_config()) as station:
        calls = []
        monkeypatch.setattr(station, "clutch", calls.append)
        window = open_window(station)
        qtbot.keyPress(window, Qt.Key.Key_Space)
        qtbot.keyPress(window, Qt.Key.Key_Space, delay=-1)
        qtbot.keyRelease(window, Qt.Key.Key_Space)
        assert calls == [True, False]


def test_pedal_keys_from_the_config_record(qtbot, station_config, open_window):
    config = station_config()
    config.ui.keys["record"] = ["F13"]
    with Station(config) as station:
        window = open_window(station)
        _ready(qtbot, station)
        assert "F13" in window.episode.record_button.text()
        qtbot.keyClick(window, Qt.Key.Key_F13)
        assert station.recording is not None
        qtbot.keyClick(window, Qt.Key.Key_F13)
        assert station.recording is None


def test_layout_is_kept_per_operator(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station, operator="ada")
        window._docks["Robot"].hide()
        window.raw_action.setChecked(True)
        window.close()
        again = open_window(station, operator="ada")
        assert again._docks["Robot"].isHidden()
        assert again.raw_action.isChecked()
        again.episode.operator.setText("lin")
        again.episode.operator.editingFinished.emit()
        assert not again._docks["Robot"].isHidden()
        assert not again.raw_action.isChecked()
        again.close()
        folder = Path(station.config.ui.preferences_dir)
    assert sorted(p.name for p in folder.iterdir()) == ["ada.json", "lin.json"]


def test_tare_button_tares_the_fingertips(qtbot, station_config, open_window):
    with Station(station_config()) as station:
        window = open_window(station)
        assert station.wait_for(
            lambda: all(station.bus.latest(s.name) for s in station.specs), 15.0
        )
        qtbot.mouseClick(window.tare_button, Qt.MouseButton.LeftButton)
        assert window.statusBar().currentMessage() == "tared 10 fingertip sensors"


def test_align_key_re_aligns_while_the_operator_holds_the_ready_pose(
    qtbot, station_config, open_window
):
    config = station_config()
    config = config.model_copy(
        update={"sim": config.sim.model_copy(update={"operator_delay_s": 30.0})}
    )
    with Station(config) as station:
        window = open_window(station)
        _ready(qtbot, station)
        qtbot.waitUntil(lambda: station.bus.latest("body") is not None, timeout=5_000)
        qtbot.keyClick(window, Qt.Key.Key_A)
        assert window.statusBar().currentMessage().startswith("re-aligning")
        qtbot.waitUntil(
            lambda: window.statusBar().currentMessage().startswith("re-aligned"), timeout=10_000
        )
        assert station.station_profile is not None
    assert (Path(config.calibration.profiles_dir) / "station-sim-station.json").exists()


def test_changing_operator_maps_their_gloves(qtbot, station_config, open_window):
    config = station_config()
    glove = GloveCalibration(lower_deg=[0.0] * 20, upper_deg=[70.0] * 20, keypoint_scale=1.1)
    save_profile(
        config.calibration.profiles_dir, OperatorProfile(operator="Lin", gloves={"right": glove})
    )
    with Station(config) as station:
        window = open_window(station, operator="ada")
        window.episode.operator.setText("Lin")
        window.episode.operator.editingFinished.emit()
        assert station.operator == "Lin"
        assert station.calibration().keypoint_mapping[1].scale == 1.1
