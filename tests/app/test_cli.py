"""The ``dexstation run`` command line, as a subprocess like an operator would run it."""

import json
import signal
import subprocess
import sys
import time

from recorder.episode_reader import list_episodes
from tests.station_toml import small_station_toml


def dexstation(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def small_config(tmp_path):
    return small_station_toml(tmp_path / "station.toml")


def test_headless_run_records_one_episode_and_prints_a_summary(tmp_path):
    config = small_config(tmp_path)
    proc = dexstation(
        "run",
        "--sim",
        "--headless",
        "--duration",
        "2",
        "--record",
        "--primitive",
        "pour",
        "--object",
        "cup",
        "--dataset",
        str(tmp_path / "ds"),
        "--config",
        str(config),
        "--json",
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["streams"]["control"]["count"] > 300
    assert summary["loop"]["ticks"] > 300
    episodes = list_episodes(tmp_path / "ds")
    assert len(episodes) == 1
    assert episodes[0][1].primitive == "pour" and episodes[0][1].status == "complete"


def test_sigterm_mid_episode_finishes_the_episode(tmp_path):
    config = small_config(tmp_path)
    proc = dexstation(
        "run",
        "--headless",
        "--duration",
        "60",
        "--record",
        "--primitive",
        "pour",
        "--object",
        "cup",
        "--dataset",
        str(tmp_path / "ds"),
        "--config",
        str(config),
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("ds/*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    [(_, meta)] = list_episodes(tmp_path / "ds")
    assert meta.status == "complete"
    assert "stopped" in meta.notes


def test_record_without_labels_is_refused(tmp_path):
    proc = dexstation(
        "run", "--headless", "--record", "--duration", "1", "--config", str(small_config(tmp_path))
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "--primitive and --object" in err


def test_bad_config_exits_with_the_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[control]\nrate_hz = 'fast'\n")
    proc = dexstation("run", "--headless", "--config", str(bad))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert str(bad) in err and "control.rate_hz" in err
