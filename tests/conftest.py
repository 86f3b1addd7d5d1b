"""A small simulated station for end-to-end tests: the default one with 160x120 cameras."""

import pytest

from app.config import load_config, parse_config


@pytest.fixture
def station_config(tmp_path):
    """Build a config from the packaged sim station; ``faults`` maps device -> FaultSpec dict.
    Episodes, operator layouts and calibration profiles go to the test's own folder."""

    def make(faults=None, **control):
        data = load_config().model_dump()
        for entry in data["devices"].values():
            if entry["family"] == "camera":
                entry.update(width=160, height=120)
        for device, spec in (faults or {}).items():
            data["devices"][device]["faults"] = spec
        data["control"].update(engage_s=0.5, **control)
        data["ui"]["preferences_dir"] = str(tmp_path / "operators")
        data["calibration"]["profiles_dir"] = str(tmp_path / "profiles")
        data["dataset"]["root"] = str(tmp_path / "dataset")
        return parse_config(data, "test")

    return make
