import numpy as np

from app.sample_codec import SampleCodec
from devices.sample import Sample
from devices.trackers import tracker_stream


def test_pack_unpack_preserves_everything():
    codec = SampleCodec([tracker_stream("left", 120), tracker_stream("right", 120)])
    pose = np.arange(16, dtype=np.float64).reshape(4, 4)
    pose[0, 0] = np.nan
    sample = Sample(
        "tracker_right",
        7,
        100,
        130,
        None,
        False,
        {"pose": pose, "tracking_result": np.array(200, dtype=np.int32)},
    )
    out = codec.unpack(codec.pack(sample))
    assert (out.stream, out.seq, out.t_capture_ns, out.t_arrival_ns) == (
        "tracker_right",
        7,
        100,
        130,
    )
    assert out.t_device_ns is None and out.valid is False
    np.testing.assert_array_equal(out.data["pose"], pose)
    assert int(out.data["tracking_result"]) == 200


def test_device_time_survives():
    codec = SampleCodec([tracker_stream("left", 120)])
    sample = Sample(
        "tracker_left",
        0,
        1,
        2,
        -5,
        True,
        {"pose": np.eye(4), "tracking_result": np.array(200, dtype=np.int32)},
    )
    assert codec.unpack(codec.pack(sample)).t_device_ns == -5
