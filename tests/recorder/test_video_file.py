"""MP4 files: lossless grey round trip, camera resizing after a centred crop."""

import numpy as np
import pytest

from recorder.video_file import VideoFile, centre_crop
from tests.recorder.videos import decode_video


def test_grey_frames_come_back_exactly(tmp_path):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (16, 24), dtype=np.uint8) for _ in range(5)]
    file = VideoFile(tmp_path / "t.mp4", 30, 24, 16, lossless=True)
    for image in images:
        file.write(image)
    with pytest.raises(ValueError, match="frame"):
        file.write(images[0][:8])
    file.close()
    assert file.frames == 5 and file.bytes > 0
    for grey, rgb, image in zip(
        decode_video(file.path, "gray")[0], decode_video(file.path, "rgb24")[0], images, strict=True
    ):
        np.testing.assert_array_equal(grey, image)
        np.testing.assert_array_equal(rgb, np.repeat(image[..., None], 3, axis=2))


def test_camera_frames_are_cropped_to_the_aspect_then_resized(tmp_path):
    image = np.zeros((48, 64, 3), np.uint8)
    image[6:42] = 200  # the 16:9 middle band of a 4:3 frame
    assert centre_crop(image, 32, 18).shape == (36, 64, 3)
    assert centre_crop(image[:36], 4, 3).shape == (36, 48, 3)
    file = VideoFile(tmp_path / "c.mp4", 30, 32, 18, lossless=False)
    file.write(image)
    file.close()
    (frame,) = decode_video(file.path, "rgb24")[0]
    assert frame.shape == (18, 32, 3) and abs(frame.mean() - 200) < 3
