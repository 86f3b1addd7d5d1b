import pytest

from devices.device import Device
from devices.registry import BuildContext, build_device
from devices.sample import Sample


@pytest.fixture
def context() -> BuildContext:
    return BuildContext()


@pytest.fixture
def started(context):
    """Build and start a sim device that records its samples; stops every device at teardown."""
    devices: list[Device] = []

    def start(family: str, **options) -> tuple[Device, list[Sample]]:
        device = build_device(family, "sim", family, options, context)
        samples: list[Sample] = []
        device.start(samples.append)
        devices.append(device)
        return device, samples

    yield start
    for device in devices:
        device.stop()
