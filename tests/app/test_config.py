import pytest

from app.config import ConfigError, load_config, parse_config


def test_packaged_default_is_the_simulated_station():
    config = load_config()
    assert config.control.rate_hz == 200.0
    families = sorted({d.family for d in config.devices.values()})
    assert families == ["body", "camera", "glove", "hand", "tactile", "tracker"]
    assert all(d.backend == "sim" for d in config.devices.values())


def _write(tmp_path, text):
    path = tmp_path / "station.toml"
    path.write_text(text)
    return path


def test_unknown_top_level_key_names_file_field_and_fix(tmp_path):
    path = _write(tmp_path, "[control]\nrate_hz = 200\nratehz = 100\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert "control.ratehz" in message
    assert "remove this key" in message


def test_out_of_range_value_says_the_bound(tmp_path):
    path = _write(tmp_path, "[control]\nrate_hz = 5\n")
    with pytest.raises(ConfigError, match=r"control\.rate_hz.*>= 10"):
        load_config(path)


def test_unknown_device_option_is_rejected_with_its_path(tmp_path):
    path = _write(tmp_path, '[devices.glove_left]\nfamily = "glove"\nside = "left"\nrat_hz = 90\n')
    with pytest.raises(ConfigError, match=r"devices\.glove_left\.rat_hz"):
        load_config(path)


def test_unknown_backend_lists_known_ones(tmp_path):
    path = _write(tmp_path, '[devices.g]\nfamily = "glove"\nbackend = "magic"\nside = "left"\n')
    with pytest.raises(ConfigError, match=r"devices\.g\.backend.*known: replay, ros2, sim, zmq"):
        load_config(path)


def test_unknown_family_is_rejected(tmp_path):
    path = _write(tmp_path, '[devices.g]\nfamily = "glovez"\n')
    with pytest.raises(ConfigError, match=r"devices\.g\.family.*unknown device family"):
        load_config(path)


def test_broken_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[control\nrate_hz = 200\n")
    with pytest.raises(ConfigError, match=r"not valid TOML"):
        load_config(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")


def test_non_rigid_calibration_transform_is_rejected():
    data = {
        "calibration": {
            "robot_from_universe": [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
        }
    }
    with pytest.raises(ConfigError, match="orthonormal"):
        parse_config(data, "test")


def test_bad_fault_window_is_rejected():
    data = {
        "devices": {
            "t": {
                "family": "tracker",
                "side": "left",
                "serial": "LHR-1",
                "faults": {"nan_s": [[2.0, 1.0]]},
            }
        }
    }
    with pytest.raises(ConfigError, match=r"devices\.t\.faults\.nan_s"):
        parse_config(data, "test")


def test_retargeting_section_rejects_bad_values_by_name():
    with pytest.raises(ConfigError, match=r"retargeting\.hand_input.*keypoints"):
        parse_config({"retargeting": {"hand_input": "mocap"}}, "station.toml")
    flange = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]
    with pytest.raises(ConfigError, match=r"retargeting\.flange.*orthonormal"):
        parse_config({"retargeting": {"flange": flange}}, "station.toml")
    box = {"workspace_lower_m": [0.5, 0.0, 1.0], "workspace_upper_m": [0.4, 1.0, 2.0]}
    with pytest.raises(ConfigError, match="workspace_lower_m must be below"):
        parse_config({"retargeting": box}, "station.toml")


def test_keypoint_retargeting_needs_the_glove_skeleton():
    glove = {"family": "glove", "side": "left", "skeleton": False}
    with pytest.raises(ConfigError, match=r"station\.toml: devices\.g\.skeleton.*ergonomics"):
        parse_config({"devices": {"g": glove}}, "station.toml")
    config = parse_config(
        {"devices": {"g": glove}, "retargeting": {"hand_input": "ergonomics"}}, "station.toml"
    )
    assert config.retargeting.hand_input == "ergonomics"
