"""Replay devices re-emit a recorded episode: data, spacing, seq gaps, validity, looping."""

import threading
from datetime import UTC, datetime

import numpy as np
import pytest

from devices.registry import BuildContext, build_device
from devices.sample import Sample
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import CAMERA, TACTILE, make_sample

SEQS = (0, 1, 2, 4, 5, 6, 7, 8)
"""Recorded seqs: sample 3 was lost, so replay must show the gap."""
INVALID_SEQ = 5


@pytest.fixture
def episode(tmp_path):
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, [CAMERA, TACTILE], meta, flush_interval_s=0.1)
    writer.start()
    rng = np.random.default_rng(1)
    sent = {}
    for spec in (CAMERA, TACTILE):
        sent[spec.name] = [
            make_sample(spec, seq, rng, t_device_ns=seq * 1000, valid=seq != INVALID_SEQ)
            for seq in SEQS
        ]
        for sample in sent[spec.name]:
            writer.put(sample)
    writer.stop()
    return tmp_path / meta.episode_id, sent


def collect(device, count: int, timeout_s: float = 10.0) -> list[Sample]:
    got: list[Sample] = []
    done = threading.Event()

    def sink(sample: Sample) -> None:
        got.append(sample)
        if len(got) >= count:
            done.set()

    device.start(sink)
    assert done.wait(timeout_s), f"only {len(got)} of {count} samples replayed"
    device.stop()
    return got


def test_replay_keeps_data_spacing_gaps_and_validity(episode):
    path, sent = episode
    device = build_device(
        "tactile",
        "replay",
        "replay_tactile",
        {"episode": str(path), "streams": ["tactile_test"], "loop": False},
        BuildContext(),
    )
    got = collect(device, len(SEQS))
    assert [s.seq for s in got] == list(SEQS)
    recorded = [s.t_capture_ns for s in sent["tactile_test"]]
    replayed = [s.t_capture_ns for s in got]
    np.testing.assert_array_equal(np.diff(replayed), np.diff(recorded))
    assert [s.valid for s in got] == [seq != INVALID_SEQ for seq in SEQS]
    assert [s.t_device_ns for s in got] == [seq * 1000 for seq in SEQS]
    for replay, original in zip(got, sent["tactile_test"], strict=True):
        np.testing.assert_array_equal(replay.data["deform"], original.data["deform"])
        np.testing.assert_array_equal(replay.data["f6"], original.data["f6"])
    assert device.status().message == "replay finished"
    assert not device.status().connected


def test_replay_loops_with_seq_and_device_time_running_on(episode):
    path, _ = episode
    device = build_device(
        "camera",
        "replay",
        "replay_camera",
        {"episode": str(path), "streams": ["camera_test"]},
        BuildContext(),
    )
    got = collect(device, 2 * len(SEQS))
    span = SEQS[-1] - SEQS[0] + 1
    assert [s.seq for s in got] == [*SEQS, *(seq + span for seq in SEQS)]
    lap = got[len(SEQS)].t_capture_ns - got[0].t_capture_ns
    assert got[len(SEQS)].t_device_ns - got[0].t_device_ns == lap
    assert got[0].data["image"].shape == CAMERA.fields["image"].shape


def test_streams_of_another_family_or_unknown_streams_are_refused(episode):
    path, _ = episode
    with pytest.raises(ValueError, match=r"tactile_test.* is a tactile stream, not camera"):
        build_device(
            "camera",
            "replay",
            "c",
            {"episode": str(path), "streams": ["tactile_test"]},
            BuildContext(),
        )
    with pytest.raises(KeyError, match="no stream 'glove_left'"):
        build_device(
            "glove",
            "replay",
            "g",
            {"episode": str(path), "streams": ["glove_left"]},
            BuildContext(),
        )
