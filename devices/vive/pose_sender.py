"""Publish every VIVE tracker's pose from the SteamVR machine over ZMQ (pose wire schema 1).

Run on the machine where SteamVR runs (``pip install 'dexstation[vive]'``)::

    python -m devices.vive.pose_sender --bind tcp://*:5560 --rate 120

and give the station a tracker with backend ``zmq`` and ``endpoint = "tcp://<this host>:5560"``.
Every poll publishes one message with every connected tracker, also when there are none, so a
receiver tells a silent sender from a missing tracker. While SteamVR is not running the sender
waits and retries.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from types import ModuleType
from typing import Any

from devices.errors import DeviceError
from devices.hardware import import_sdk
from devices.vive import pose_wire
from devices.vive.session import VIVE_FIX, OpenVRSession, acquire, release

log = logging.getLogger(__name__)


class PoseSender:
    """Polls OpenVR at ``rate_hz`` and publishes each poll on a bound ZMQ PUB ``socket``."""

    def __init__(self, openvr: ModuleType, socket: Any, rate_hz: float, retry_s: float) -> None:
        self.openvr = openvr
        self.socket = socket
        self.rate_hz = rate_hz
        self.retry_s = retry_s
        self.sequence = 0

    def run(self, stop: threading.Event) -> None:
        """Publish until ``stop`` is set, reopening OpenVR after ``retry_s`` when it fails."""
        while not stop.is_set():
            try:
                session = acquire(self.openvr)
            except DeviceError as exc:
                log.warning("%s", exc)
                stop.wait(self.retry_s)
                continue
            try:
                self._publish_until(session, stop)
            except DeviceError as exc:
                log.warning("%s", exc)
                stop.wait(self.retry_s)
            finally:
                release(session)

    def publish(self, session: OpenVRSession) -> pose_wire.PoseMessage:
        """Poll once and publish the connected trackers' readings."""
        poll = session.poll()
        readings = tuple(poll.reading(slot) for slot in poll.trackers.values() if slot.connected)
        message = pose_wire.PoseMessage(poll.t_unix_ns, self.sequence, readings)
        self.socket.send_multipart(pose_wire.encode(message))
        self.sequence += 1
        return message

    def _publish_until(self, session: OpenVRSession, stop: threading.Event) -> None:
        period_ns = int(1e9 / self.rate_hz)
        deadline = time.monotonic_ns()
        while not stop.is_set():
            self.publish(session)
            deadline = max(deadline + period_ns, time.monotonic_ns())
            stop.wait((deadline - time.monotonic_ns()) * 1e-9)


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Command line entry point; returns the exit status. ``stop`` ends it (else Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m devices.vive.pose_sender", description=__doc__)
    parser.add_argument("--bind", default="tcp://*:5560", help="ZMQ PUB endpoint to bind")
    parser.add_argument("--rate", type=float, default=120.0, help="polls per second (Hz)")
    parser.add_argument("--retry", type=float, default=2.0, help="wait before reopening (s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.rate <= 0:
        parser.error("--rate must be > 0")
    try:
        zmq = import_sdk("zmq", VIVE_FIX)
        openvr = import_sdk("openvr", VIVE_FIX)
    except DeviceError as exc:
        log.error("%s", exc)
        return 1
    context = zmq.Context.instance()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    try:
        socket.bind(args.bind)
        log.info("publishing tracker poses on %s", socket.getsockopt_string(zmq.LAST_ENDPOINT))
        PoseSender(openvr, socket, args.rate, args.retry).run(stop or threading.Event())
    except zmq.ZMQError as exc:
        log.error("cannot bind %s (%s); fix: choose a free port or address", args.bind, exc)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        socket.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
