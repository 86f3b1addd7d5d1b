"""End to end: the simulated station running, recording, and surviving injected faults."""

import errno
import time

import numpy as np
import pytest

from app.state_machine import State
from app.station import Station, StationError
from recorder.episode_reader import open_episode
from recorder.recovery import recover_episode
from recorder.stream_writer import StreamWriter


def record(station, dataset, seconds, **labels):
    assert station.wait_for(station.inputs_ready, 15.0)
    station.engage()
    station.start_recording(
        labels.pop("primitive", "grasp and lift"),
        labels.pop("object_name", "sponge"),
        dataset=dataset,
        **labels,
    )
    time.sleep(seconds)
    path = station.recording.path
    meta = station.stop_recording(outcome="success")
    return open_episode(path), meta


def states(episode):
    return episode.stream("control").field("state")


@pytest.mark.parametrize("sensor_process", [True, False], ids=["processes", "threads"])
def test_records_every_stream_with_monotonic_times_and_full_metadata(
    station_config, tmp_path, sensor_process
):
    config = station_config()
    config.station.sensor_process = sensor_process
    with Station(config) as station:
        episode, meta = record(
            station, tmp_path, 2.5, operator="Ana ../../etc", instruction="pick up the sponge"
        )
        expected = {spec.name for spec in station.specs}
    assert set(episode.streams) == expected
    for name in expected:
        stream = episode.stream(name)
        assert len(stream) > 0, name
        assert np.all(np.diff(stream.t_capture_ns) >= 0), name
        assert np.all(stream.t_arrival_ns >= stream.t_capture_ns - 1), name
        assert np.all(np.diff(stream.seq) > 0), name
    assert len(episode.stream("control")) > 400  # 200 Hz for 2.5 s
    m = episode.metadata
    assert (m.primitive, m.object, m.outcome, m.status) == (
        "grasp and lift",
        "sponge",
        "success",
        "complete",
    )
    assert m.operator == "Ana ../../etc" and m.instruction == "pick up the sponge"
    assert m.station == "sim-station" and m.start_utc and m.end_utc
    assert m.devices["tracker_left"]["serial"] == "LHR-SIM0001L"
    assert m.config["control"]["rate_hz"] == 200.0
    assert m.software_version
    assert sum(m.drops.values()) == 0
    assert tmp_path in episode.path.parents and ".." not in episode.path.name
    assert meta.episode_id == m.episode_id


def test_nan_burst_holds_and_never_reaches_a_command(station_config, tmp_path):
    config = station_config({"tracker_right": {"nan_s": [[3.0, 3.4]]}})
    with Station(config) as station:
        episode, _ = record(station, tmp_path, 3.5)
    control = episode.stream("control")
    state = control.field("state")
    commanding = np.isin(state, [State.ENGAGING, State.ENGAGED, State.HOLD])
    assert np.isfinite(control.field("arm_command")[commanding]).all()
    assert np.isfinite(control.field("hand_command")[commanding]).all()
    assert (state == State.HOLD).any()
    assert np.isfinite(episode.stream("body").field("arm_command")).all()
    tracker = episode.stream("tracker_right").field("pose")
    assert np.isnan(tracker).any()  # the corrupt samples are kept as received


def test_dropped_frames_are_gaps_never_zeros(station_config, tmp_path):
    faults = {"head": {"drop_rate": 0.3, "seed": 3}, "tactile_left": {"drop_rate": 0.3}}
    with Station(station_config(faults)) as station:
        episode, meta = record(station, tmp_path, 2.0)
    for stream, field in (("camera_head", "image"), ("tactile_left_index", "raw")):
        data = episode.stream(stream)
        seq = data.seq
        assert (np.diff(seq) > 1).any(), stream  # the drops show as gaps in seq
        assert len(data) == len(np.unique(seq))
        images = data.field(field)
        assert all(image.any() for image in images), stream  # no zero-filled rows
    assert sum(meta.drops.values()) == 0  # the recorder itself lost nothing


def test_estop_stops_recording_and_latches_until_reset(station_config, tmp_path):
    with Station(station_config()) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        station.engage()
        station.start_recording("press", "button", dataset=tmp_path)
        time.sleep(0.5)
        path = station.recording.path
        station.estop()
        assert station.wait_for(lambda: station.recording is None, 5.0)
        assert station.state is State.ESTOP
        with pytest.raises(StationError, match="E-stop"):
            station.start_recording("press", "button", dataset=tmp_path)
        station.engage()
        time.sleep(0.2)
        assert station.state is State.ESTOP
        station.reset_estop()
        assert station.wait_for(lambda: station.state is State.IDLE, 2.0)
    episode = open_episode(path)
    assert episode.metadata.status == "complete"
    assert "E-stop" in episode.metadata.notes
    assert states(episode)[-1] == State.ESTOP


def test_glove_unplugged_holds_the_robot(station_config):
    config = station_config({"glove_left": {"disconnect_s": [[3.0, 4.0]]}})
    with Station(config) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        station.engage()
        assert station.wait_for(lambda: station.state is State.HOLD, 6.0)
        snap = station.snapshot()
        assert not snap.devices["glove_left"].connected
        assert "glove_left" in snap.reason
        assert station.wait_for(lambda: station.state is State.ENGAGED, 5.0)


def test_full_disk_fails_the_episode_clearly_and_the_station_records_again(
    station_config, tmp_path, monkeypatch
):
    real_write = StreamWriter.write

    def disk_full(self, batch):
        raise OSError(errno.ENOSPC, "No space left on device")

    with Station(station_config()) as station:
        assert station.wait_for(station.inputs_ready, 15.0)
        monkeypatch.setattr(StreamWriter, "write", disk_full)
        station.start_recording("wipe", "plate", dataset=tmp_path / "full")
        assert station.wait_for(lambda: station.snapshot().recorder.error is not None, 5.0)
        with pytest.raises(StationError, match=r"No space left on device.*free space"):
            station.stop_recording()
        assert station.recording is None
        (partial,) = (tmp_path / "full").iterdir()
        assert recover_episode(partial).metadata.status == "recovered"  # readable as far as it got
        monkeypatch.setattr(StreamWriter, "write", real_write)
        episode, meta = record(station, tmp_path / "ok", 1.0)
    assert meta.status == "complete" and len(episode.stream("control")) > 100


def test_checklist_counts_a_saved_episode_and_a_relabel(station_config, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = station_config()
    config.dataset.root = str(tmp_path / "dataset")
    with Station(config) as station:
        first = station.checklist.view().next_up[0]
        _, meta = record(station, None, 0.5, primitive=first.primitive, object_name=first.object)
        view = station.checklist.view()
        assert view.coverage.cell(first.primitive, first.object).tally.successes == 1
        assert view.last == (first.primitive, first.object)
        station.relabel(meta.episode_id, outcome="failure")
        cell = station.checklist.view().coverage.cell(first.primitive, first.object)
        assert (cell.tally.successes, cell.tally.failures) == (0, 1)
        with pytest.raises(StationError, match="cannot relabel"):
            station.relabel(meta.episode_id, status="complete")
