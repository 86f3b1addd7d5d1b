import json

import numpy as np
import pytest
import tensorstore as ts
import zarr

from recorder.zarr_append import create_appendable


def read_both(path):
    by_zarr = zarr.open_array(path, mode="r")[:]
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}}
    by_tensorstore = ts.open(spec).result().read().result()
    np.testing.assert_array_equal(by_tensorstore, by_zarr)
    return by_zarr


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    ("row_shape", "dtype"), [((), "int64"), ((3, 4), "float32"), ((5,), "bool")]
)
def test_batches_of_any_size_read_back_after_every_publish(tmp_path, compressed, row_shape, dtype):
    group = zarr.open_group(tmp_path / "g", mode="w", zarr_format=3)
    appender = create_appendable(group, "a", row_shape, dtype, 7, compressed, {"unit": "m"})
    rng = np.random.default_rng(0)
    expected = np.empty((0, *row_shape), dtype)
    for n in (3, 4, 1, 7, 15, 2, 0, 9):
        batch = rng.normal(0, 10, (n, *row_shape)).astype(dtype)
        if dtype == "float32":
            batch.flat[::5] = np.nan
        appender.append(batch)
        appender.publish()
        expected = np.concatenate([expected, batch])
        np.testing.assert_array_equal(read_both(tmp_path / "g" / "a"), expected)
    assert appender.rows == appender.published_rows == len(expected)
    assert zarr.open_array(tmp_path / "g" / "a", mode="r").attrs["unit"] == "m"


def test_rows_are_invisible_until_published(tmp_path):
    group = zarr.open_group(tmp_path / "g", mode="w", zarr_format=3)
    appender = create_appendable(group, "a", (2,), "int64", 4, True, {})
    appender.append(np.ones((6, 2), np.int64))
    assert zarr.open_array(tmp_path / "g" / "a", mode="r").shape == (0, 2)
    appender.publish()
    assert zarr.open_array(tmp_path / "g" / "a", mode="r").shape == (6, 2)


def test_zarr_json_is_standard_and_lists_in_the_group(tmp_path):
    group = zarr.open_group(tmp_path / "g", mode="w", zarr_format=3)
    appender = create_appendable(group, "a", (), "uint8", 1 << 20, False, {"doc": "bytes"})
    appender.append(np.arange(10, dtype=np.uint8))
    appender.publish()
    document = json.loads((tmp_path / "g" / "a" / "zarr.json").read_text())
    assert document["shape"] == [10] and document["node_type"] == "array"
    assert list(zarr.open_group(tmp_path / "g", mode="r").array_keys()) == ["a"]
    assert not list((tmp_path / "g" / "a").glob("*.partial"))


def test_rows_of_the_wrong_shape_are_refused(tmp_path):
    group = zarr.open_group(tmp_path / "g", mode="w", zarr_format=3)
    appender = create_appendable(group, "a", (3,), "float32", 8, False, {})
    with pytest.raises(ValueError, match="expected"):
        appender.append(np.zeros((2, 4), np.float32))
