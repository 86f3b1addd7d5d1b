"""Reference Manus bridge: publishes a recorded episode's glove streams in the wire schema.

    python -m devices.manus.bridge_replay EPISODE --bind tcp://*:5570

Each recorded ``glove_{side}`` sample is sent with its recorded spacing (the replay devices'
timing, looping by default) as one :mod:`devices.manus.glove_wire` message stamped with the
Unix time of sending, its recorded seq as the sequence, and the glove id given by the
stream's position in the episode's glove streams. It stands in for a bridge around the Manus
C SDK when testing the ``zmq`` glove backend and the network between the two.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

import numpy as np

from devices.device import SampleSink
from devices.hardware import import_sdk
from devices.manus import glove_wire
from devices.manus.zmq_glove import ZMQ_FIX
from devices.registry import BuildContext
from devices.replay import ReplayGlove
from devices.sample import Sample
from recorder.episode_reader import open_episode

FINISHED = "replay finished"
"""The replay device's status message once a non-looping replay has sent everything."""


def glove_streams(episode: str) -> list[str]:
    """The episode's glove streams, sorted; raises ValueError when it has none or one is not
    named ``glove_left`` or ``glove_right``."""
    recorded = open_episode(episode)
    names = sorted(s for s in recorded.streams if recorded.stream(s).spec.family == "glove")
    if not names:
        raise ValueError(f"{episode} has no glove streams")
    for name in names:
        if name.removeprefix("glove_") not in glove_wire.SIDES:
            raise ValueError(f"{episode}: glove stream {name!r} names no side (left, right)")
    return names


def message_of(sample: Sample, glove_id: int) -> glove_wire.GloveMessage:
    """The wire message for a replayed glove sample, stamped with the Unix time of its
    emission (``t_capture_ns`` is the station's monotonic clock)."""
    data = sample.data
    skeleton = (
        np.concatenate([data["skeleton_position"], data["skeleton_orientation"]], axis=1)
        if "skeleton_position" in data
        else None
    )
    return glove_wire.GloveMessage(
        side=sample.stream.removeprefix("glove_"),
        glove_id=glove_id,
        sequence=sample.seq,
        publish_time_ns=sample.t_capture_ns + time.time_ns() - time.monotonic_ns(),
        ergonomics=data["ergonomics"],
        skeleton=skeleton,
    )


def publisher_sink(socket: Any, streams: list[str]) -> SampleSink:
    """A sink sending each sample on ``socket`` (a bound ZMQ PUB socket)."""
    glove_ids = {name: index for index, name in enumerate(streams)}

    def send(sample: Sample) -> None:
        socket.send_multipart(glove_wire.encode(message_of(sample, glove_ids[sample.stream])))

    return send


def publish(episode: str, socket: Any, loop: bool, stop: threading.Event) -> None:
    """Replay the episode's glove streams on ``socket`` until ``stop`` is set or, without
    ``loop``, until every sample has been sent."""
    streams = glove_streams(episode)
    options = ReplayGlove.Options(episode=episode, streams=streams, loop=loop)
    device = ReplayGlove("bridge_replay", options, BuildContext())
    device.start(publisher_sink(socket, streams))
    try:
        while not stop.wait(0.1) and device.status().message != FINISHED:
            pass
    finally:
        device.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devices.manus.bridge_replay", description=__doc__.splitlines()[0]
    )
    parser.add_argument("episode", help="episode folder")
    parser.add_argument("--bind", default="tcp://*:5570", help="PUB endpoint to bind")
    parser.add_argument("--once", action="store_true", help="stop after one pass, do not loop")
    args = parser.parse_args(argv)
    zmq = import_sdk("zmq", ZMQ_FIX)
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind(args.bind)
    print(f"publishing the glove streams of {args.episode} on {args.bind}", file=sys.stderr)
    try:
        publish(args.episode, socket, loop=not args.once, stop=threading.Event())
    except KeyboardInterrupt:
        pass
    finally:
        socket.close()
        context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
