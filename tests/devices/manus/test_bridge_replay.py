"""The replay bridge: a recorded episode's gloves published in the wire schema and received
by the zmq backend over loopback, as a bridge around the Manus SDK would feed it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import numpy as np
import pytest
import zmq

from devices.gloves import glove_stream
from devices.manus import bridge_replay
from devices.sample import Sample
from devices.sim import human_hand
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.devices.manus.helpers import wait_for
from tests.recorder.samples import TACTILE, make_sample

SAMPLES = 40
RATE_HZ = 100.0


def ergonomics(seq: int) -> np.ndarray:
    return (human_hand.POSTURES["cup"] + 0.5 * seq).astype(np.float32)


def record(tmp_path, specs) -> str:
    meta = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="mug",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, specs, meta, flush_interval_s=0.1)
    writer.start()
    for spec in specs:
        for seq in range(SAMPLES):
            if spec.family != "glove":
                writer.put(make_sample(spec, seq, np.random.default_rng(seq)))
                continue
            t_ns = 1_000_000_000 + int(seq * 1e9 / RATE_HZ)
            data = {"ergonomics": ergonomics(seq)}
            if "skeleton_position" in spec.fields:
                position, orientation = human_hand.skeleton(ergonomics(seq), "left")
                data["skeleton_position"] = position.astype(np.float32)
                data["skeleton_orientation"] = orientation.astype(np.float32)
            writer.put(Sample(spec.name, seq, t_ns, t_ns + 1000, None, True, data))
    writer.stop()
    return str(tmp_path / meta.episode_id)


def recorded_seq(sample: Sample) -> int:
    """The recorded row a received sample came from (its ergonomics encode it)."""
    return round((sample.data["ergonomics"][0] - ergonomics(0)[0]) / 0.5)


@pytest.fixture
def episode(tmp_path):
    specs = [glove_stream("left", RATE_HZ, True), glove_stream("right", RATE_HZ, False), TACTILE]
    return record(tmp_path, specs)


def test_gloves_replayed_through_the_wire_arrive_as_recorded(episode, started):
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.bind("tcp://127.0.0.1:*")
    endpoint = socket.getsockopt_string(zmq.LAST_ENDPOINT)
    stop = threading.Event()
    publisher = threading.Thread(target=bridge_replay.publish, args=(episode, socket, True, stop))
    left, left_samples = started("zmq", side="left", endpoint=endpoint)
    right, right_samples = started("zmq", side="right", endpoint=endpoint, skeleton=False)
    publisher.start()
    try:
        assert wait_for(lambda: len(left_samples) >= 10 and len(right_samples) >= 10)
    finally:
        stop.set()
        publisher.join()
        socket.close(linger=0)
        context.term()
    assert left.info()["glove_id"] == "0"
    assert right.info()["glove_id"] == "1"
    for sample in left_samples + right_samples:
        assert sample.valid
        assert sample.t_capture_ns <= sample.t_arrival_ns
        k = recorded_seq(sample)
        np.testing.assert_array_equal(sample.data["ergonomics"], ergonomics(k))
    # the recorded seq travels as the wire sequence: seq and recorded row move together
    assert len({(s.seq - recorded_seq(s)) % SAMPLES for s in left_samples}) == 1
    position, _ = human_hand.skeleton(left_samples[-1].data["ergonomics"], "left")
    np.testing.assert_allclose(left_samples[-1].data["skeleton_position"], position, atol=1e-6)


def test_main_publishes_one_pass_on_the_given_endpoint(episode, tmp_path, started):
    endpoint = f"ipc://{tmp_path}/bridge"
    device, samples = started("zmq", side="left", endpoint=endpoint, skeleton=False)
    assert wait_for(lambda: device.status().connected)
    assert bridge_replay.main([episode, "--bind", endpoint, "--once"]) == 0
    assert 0 < len(samples) <= SAMPLES
    for sample in samples:
        np.testing.assert_array_equal(sample.data["ergonomics"], ergonomics(recorded_seq(sample)))


def test_an_episode_without_gloves_is_refused(tmp_path):
    episode = record(tmp_path, [TACTILE])
    with pytest.raises(ValueError, match="has no glove streams"):
        bridge_replay.glove_streams(episode)
