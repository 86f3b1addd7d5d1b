"""FrameResizer: nearest-neighbour sampling at pixel centres and channel reordering."""

import numpy as np
import pytest

from devices.zed.resize import BGRA_TO_RGB, FrameResizer


def coordinates(height: int, width: int) -> np.ndarray:
    """A BGRA frame whose pixels hold (row, column, 7, 255)."""
    image = np.zeros((height, width, 4), dtype=np.uint8)
    image[..., 0] = np.arange(height)[:, None]
    image[..., 1] = np.arange(width)[None, :]
    image[..., 2] = 7
    image[..., 3] = 255
    return image


def test_nothing_to_change_returns_the_frame_itself():
    image = coordinates(6, 8)
    assert FrameResizer(8, 6)(image) is image


def test_bgra_to_rgb_at_the_same_size():
    image = coordinates(6, 8)
    rgb = FrameResizer(8, 6, BGRA_TO_RGB)(image)
    assert rgb.shape == (6, 8, 3) and rgb.flags.c_contiguous
    np.testing.assert_array_equal(rgb, image[..., [2, 1, 0]])


def test_downscaling_samples_the_pixel_under_each_output_centre():
    small = FrameResizer(4, 2, BGRA_TO_RGB)(coordinates(6, 12))
    assert small.shape == (2, 4, 3)
    np.testing.assert_array_equal(small[:, 0, 2], [1, 4])  # rows under centres 1.5 and 4.5
    np.testing.assert_array_equal(small[0, :, 1], [1, 4, 7, 10])
    assert (small[..., 0] == 7).all()


def test_upscaling_repeats_pixels():
    big = FrameResizer(4, 4)(coordinates(2, 2))
    np.testing.assert_array_equal(big[:, :, 0], [[0] * 4, [0] * 4, [1] * 4, [1] * 4])
    np.testing.assert_array_equal(big[0, :, 1], [0, 0, 1, 1])


def test_a_new_input_size_gets_new_index_tables():
    resizer = FrameResizer(4, 2)
    resizer(coordinates(6, 12))
    np.testing.assert_array_equal(resizer(coordinates(2, 4))[..., 1], [[0, 1, 2, 3]] * 2)


def test_sizes_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        FrameResizer(0, 10)
