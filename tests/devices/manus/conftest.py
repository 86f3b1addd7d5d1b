"""Fixtures for the Manus glove backends: the fake ROS 2 packages on the import path and
devices started with a recording sink."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from devices.device import Device
from devices.registry import BuildContext, build_device
from devices.sample import Sample

FAKES = Path(__file__).parents[2] / "fakes"


@pytest.fixture
def ros_graph(monkeypatch):
    """The fake rclpy's topic graph, with the fake ROS 2 packages importable."""
    monkeypatch.syspath_prepend(str(FAKES))
    graph = importlib.import_module("rclpy._graph")
    yield graph
    graph.reset()


@pytest.fixture
def started():
    """Build and start a glove backend that records its samples; stops it at teardown."""
    devices: list[Device] = []

    def start(backend: str, **options) -> tuple[Device, list[Sample]]:
        device = build_device("glove", backend, f"glove_{backend}", options, BuildContext())
        samples: list[Sample] = []
        device.start(samples.append)
        devices.append(device)
        return device, samples

    yield start
    for device in devices:
        device.stop()
