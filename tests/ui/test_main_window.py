"""The first main window driven with the simulated station."""

from PySide6.QtCore import Qt

from app.state_machine import State
from app.station import Station
from ui.main_window import MainWindow


def test_window_shows_live_state_and_estop_key_latches(qtbot, station_config, tmp_path):
    with Station(station_config()) as station:
        window = MainWindow(station)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.health.rowCount() >= 20, timeout=15_000)
        qtbot.waitUntil(lambda: station.bus.latest("camera_head") is not None, timeout=5_000)
        qtbot.waitUntil(lambda: window.camera.image is not None, timeout=2_000)
        assert window.camera.image.shape == (120, 160, 3)
        assert station.wait_for(station.inputs_ready, 10.0)
        qtbot.keyClick(window, Qt.Key.Key_E)
        qtbot.waitUntil(lambda: station.state is State.ENGAGED, timeout=5_000)
        assert window.state_label.text() in ("ENGAGING", "ENGAGED")
        qtbot.keyClick(window.primitive, Qt.Key.Key_Escape)  # focus in a text field
        qtbot.waitUntil(lambda: station.state is State.ESTOP, timeout=2_000)
        qtbot.waitUntil(lambda: window.state_label.text() == "ESTOP", timeout=2_000)
