import numpy as np

from app.bus import Bus
from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec

SPEC = StreamSpec(
    "touch",
    "tactile",
    30.0,
    {
        "f": FieldSpec((2,), "float32", "N", "force"),
        "points": FieldSpec((4, 3), "float32", "m", "padded", nan_means_absent=True),
    },
)


def touch(seq, force, points):
    data = {"f": np.full(2, force, np.float32), "points": np.full((4, 3), points, np.float32)}
    return Sample("touch", seq, seq, seq, None, True, data)


def test_latest_subscribers_and_declared_padding():
    bus = Bus()
    bus.declare([SPEC])
    seen = []
    bus.subscribe(seen.append)
    bus.publish(touch(0, 1.0, np.nan))  # padding NaN: healthy
    bus.publish(touch(1, np.nan, 0.0))  # NaN force: a fault
    assert [s.seq for s in seen] == [0, 1]
    assert bus.latest("touch").seq == 1
    assert bus.latest("other") is None
    health = bus.health(10)["touch"]
    assert health.count == 2 and health.invalid == 1
    bus.unsubscribe(seen.append)
    bus.publish(touch(2, 1.0, 0.0))
    assert len(seen) == 2
