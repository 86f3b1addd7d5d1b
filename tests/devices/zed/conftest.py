"""Fixtures for the ZED camera backends: the fake pyzed on the import path with an empty rig,
devices started with a recording sink, and a running publisher."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from devices.device import Device
from devices.registry import BuildContext, build_device
from devices.sample import Sample

FAKES = Path(__file__).parents[2] / "fakes"


@pytest.fixture
def rig(monkeypatch):
    """The fake ZED SDK's hardware (``pyzed._rig``), emptied after the test."""
    monkeypatch.syspath_prepend(str(FAKES))
    module = importlib.import_module("pyzed._rig")
    module.reset()
    yield module
    module.reset()


@pytest.fixture
def started():
    """Build and start a camera backend that records its samples; stops it at teardown."""
    devices: list[Device] = []

    def start(backend: str, name: str = "head", sink=None, **options):
        device = build_device("camera", backend, name, options, BuildContext())
        samples: list[Sample] = []
        device.start(sink or samples.append)
        devices.append(device)
        return device, samples

    yield start
    for device in devices:
        device.stop()


@pytest.fixture
def publishing(rig):
    """Start a publisher of ``specs`` (``NAME=stereo|mono[:SERIAL]``) on a loopback port;
    stopped at teardown."""
    from devices.zed.publisher import Publisher, parse_camera

    publishers = []

    def publish(*specs: str, resolution: str = "HD1080", fps: int = 60, **kwargs):
        cameras = [parse_camera(spec, resolution, fps) for spec in specs]
        publisher = Publisher(cameras, "tcp://127.0.0.1:*", retry_s=0.05, **kwargs)
        publisher.start()
        publishers.append(publisher)
        return publisher

    yield publish
    for publisher in publishers:
        publisher.stop()
