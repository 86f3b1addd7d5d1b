"""Normalisation statistics: NaN left out, bounded-memory quantiles, exact pixel statistics."""

import numpy as np
import pytest

from recorder import feature_stats
from recorder.feature_stats import PixelStats, VectorStats


def test_vector_stats_leave_missing_values_out():
    stats = VectorStats(2)
    stats.update(np.array([[1.0, np.nan], [3.0, np.nan]]))
    stats.update(np.array([[2.0, np.nan]]))
    result = stats.result()
    assert result["min"] == [1.0, None] and result["max"] == [3.0, None]
    assert result["mean"] == [2.0, None] and result["count"] == [3]
    assert result["std"][0] == pytest.approx(np.sqrt(2 / 3))
    assert result["q01"][0] == pytest.approx(1.02) and result["q99"][0] == pytest.approx(2.98)


def test_quantiles_come_from_a_uniform_sample_beyond_the_reservoir(monkeypatch):
    monkeypatch.setattr(feature_stats, "RESERVOIR_ROWS", 2000)
    stats = VectorStats(1)
    for start in range(0, 10_000, 500):
        stats.update(np.arange(start, start + 500, dtype=float))
    result = stats.result()
    assert (result["min"], result["max"], result["mean"]) == ([0.0], [9999.0], [4999.5])
    assert result["q01"][0] == pytest.approx(100, abs=60)
    assert result["q99"][0] == pytest.approx(9900, abs=60)


def test_pixel_stats_are_exact_per_channel_and_scaled_to_one():
    image = np.zeros((4, 4, 3), np.uint8)
    image[:2, :, 0] = 255
    image[:, :, 2] = 51
    stats = PixelStats(3)
    stats.update(image)
    result = stats.result()
    assert result["mean"] == [[[0.5]], [[0.0]], [[0.2]]]
    assert result["std"] == [[[0.5]], [[0.0]], [[0.0]]]
    assert result["q01"][0] == [[0.0]] and result["q99"][0] == [[1.0]]
    assert result["count"] == [1]
    assert PixelStats(1).result()["min"] == [[[None]]]
