"""Fake ``pyzed.sl``: cameras, parameters, enums, ``Mat`` and ``Timestamp`` as the ZED SDK 5.x
Python API names them. Calls return ``ERROR_CODE`` values; ``grab()`` blocks until the next
frame at ``camera_fps``; images are BGRA uint8; timestamps are Unix ns."""

from __future__ import annotations

import enum
import time

import numpy as np

from pyzed._rig import CAPTURE_LATENCY_NS, RESOLUTIONS, RigCamera, rig


class _Named(enum.Enum):
    """The SDK's enums print as words ("CAMERA NOT DETECTED")."""

    def __str__(self) -> str:
        return self.name.replace("_", " ")


class ERROR_CODE(_Named):
    SENSOR_CONFIGURATION_CHANGED = -6
    POTENTIAL_CALIBRATION_ISSUE = -5
    CONFIGURATION_FALLBACK = -4
    SENSORS_DATA_REQUIRED = -3
    CORRUPTED_FRAME = -2
    CAMERA_REBOOTING = -1
    SUCCESS = 0
    FAILURE = 1
    NO_GPU_COMPATIBLE = 2
    NOT_ENOUGH_GPU_MEMORY = 3
    CAMERA_NOT_DETECTED = 4
    SENSORS_NOT_INITIALIZED = 5
    SENSORS_NOT_AVAILABLE = 6
    INVALID_RESOLUTION = 7
    LOW_USB_BANDWIDTH = 8
    CALIBRATION_FILE_NOT_AVAILABLE = 9
    INVALID_CALIBRATION_FILE = 10
    INVALID_FIRMWARE = 16
    INVALID_FUNCTION_PARAMETERS = 17
    CUDA_ERROR = 18
    CAMERA_NOT_INITIALIZED = 19
    NVIDIA_DRIVER_OUT_OF_DATE = 20
    INVALID_FUNCTION_CALL = 21
    CORRUPTED_SDK_INSTALLATION = 22
    CAMERA_FAILED_TO_SETUP = 26
    CAMERA_DETECTION_ISSUE = 27
    CANNOT_START_CAMERA_STREAM = 28
    NO_GPU_DETECTED = 29
    DRIVER_FAILURE = 33
    CAMERA_EXCEEDS_BANDWIDTH = 34


RESOLUTION = _Named("RESOLUTION", [*RESOLUTIONS, "AUTO"])
"""Video modes: HD4K, QHDPLUS, HD2K, HD1080, HD1200, HD1536, HD720, SVGA, VGA, AUTO."""


class VIEW(_Named):
    LEFT = 0
    RIGHT = 1
    LEFT_GRAY = 2
    RIGHT_GRAY = 3


class MEM(_Named):
    CPU = 1
    GPU = 2
    BOTH = 3


class TIME_REFERENCE(_Named):
    IMAGE = 0
    CURRENT = 1


class MODEL(_Named):
    ZED_XM = 5
    ZED_XONE_GS = 11


class CAMERA_STATE(_Named):
    AVAILABLE = 0
    NOT_AVAILABLE = 1


class BUS_TYPE(_Named):
    USB = 0
    GMSL = 1
    AUTO = 2


class MAT_TYPE(_Named):
    F32_C1 = 0
    U8_C4 = 7


class Timestamp:
    """A time in ns; the SDK's image timestamps are Unix time."""

    def __init__(self) -> None:
        self.data_ns = 0

    def get_nanoseconds(self) -> int:
        return self.data_ns

    def get_milliseconds(self) -> int:
        return self.data_ns // 1_000_000


class Resolution:
    def __init__(self, width: int = 0, height: int = 0) -> None:
        self.width = width
        self.height = height


class Mat:
    """An image buffer; ``get_data()`` returns a view of it (``deep_copy=False``)."""

    def __init__(self, width=0, height=0, mat_type=MAT_TYPE.F32_C1, memory_type=MEM.CPU) -> None:
        self._data = np.zeros((height, width, 4), dtype=np.uint8)

    def get_data(self, memory_type=MEM.CPU, deep_copy=False) -> np.ndarray:
        if not isinstance(memory_type, MEM):
            raise TypeError("Argument is not of MEM type.")
        return self._data.copy() if deep_copy else self._data

    def get_width(self) -> int:
        return self._data.shape[1]

    def get_height(self) -> int:
        return self._data.shape[0]


class _InitBase:
    def __init__(self, camera_resolution=RESOLUTION.AUTO, camera_fps=0) -> None:
        self.camera_resolution = camera_resolution
        self.camera_fps = camera_fps
        self._serial: int | None = None

    def set_from_serial_number(self, serial_number) -> None:
        self._serial = int(serial_number)


class InitParameters(_InitBase):
    """Stereo camera parameters (only the ones the station sets)."""


class InitParametersOne(_InitBase):
    """Mono (ZED X One) camera parameters (only the ones the station sets)."""


class RuntimeParameters:
    pass


class DeviceProperties:
    def __init__(self, camera: RigCamera, index: int) -> None:
        self.id = index
        self.serial_number = camera.serial
        self.camera_model = MODEL.ZED_XM if camera.stereo else MODEL.ZED_XONE_GS
        busy = camera.opened.is_set()
        self.camera_state = CAMERA_STATE.NOT_AVAILABLE if busy else CAMERA_STATE.AVAILABLE


class CameraConfiguration:
    def __init__(self, width: int, height: int, fps: float) -> None:
        self.resolution = Resolution(width, height)
        self.fps = fps
        self.firmware_version = 2001


class CameraInformation:
    def __init__(self, camera: RigCamera | None, config: CameraConfiguration) -> None:
        self.serial_number = 0 if camera is None else camera.serial
        self.camera_model = MODEL.ZED_XM if camera is None or camera.stereo else MODEL.ZED_XONE_GS
        self.camera_configuration = config


CameraOneConfiguration = CameraConfiguration
CameraOneInformation = CameraInformation


class _Device:
    """What Camera and CameraOne share in this fake."""

    _stereo = True

    def __init__(self) -> None:
        self._camera: RigCamera | None = None
        self._size = (0, 0)
        self._fps = 0.0
        self._frame = -1
        self._dropped = 0
        self._next_ns = 0
        self._image_ns = 0

    def open(self, py_init=None) -> ERROR_CODE:
        if self._camera is not None:
            self.close()
        init = py_init or (InitParameters() if self._stereo else InitParametersOne())
        if not rig.gpu:
            return ERROR_CODE.NO_GPU_COMPATIBLE
        free = [c for c in rig.cameras if c.stereo == self._stereo and not c.opened.is_set()]
        if init._serial is not None:
            free = [c for c in free if c.serial == init._serial]
        if not free:
            return ERROR_CODE.CAMERA_NOT_DETECTED
        camera = free[0]
        if camera.open_error is not None:
            return ERROR_CODE[camera.open_error]
        mode = init.camera_resolution
        self._size = RESOLUTIONS["HD1200" if mode is RESOLUTION.AUTO else mode.name]
        self._fps = float(init.camera_fps or 30)
        self._camera = camera
        self._frame = -1
        self._dropped = 0
        self._next_ns = time.monotonic_ns()
        camera.opened.set()
        return ERROR_CODE.SUCCESS

    def is_opened(self) -> bool:
        return self._camera is not None

    def grab(self, py_runtime=None) -> ERROR_CODE:
        camera = self._camera
        if camera is None:
            return ERROR_CODE.CAMERA_NOT_INITIALIZED
        self._wait_for_frame()
        if camera.unplugged:
            return ERROR_CODE.CAMERA_NOT_DETECTED
        self._frame += 1
        if camera.drop_every and self._frame % camera.drop_every == camera.drop_every - 1:
            self._dropped += 1
            self._wait_for_frame()
            self._frame += 1
        self._image_ns = time.time_ns() - CAPTURE_LATENCY_NS
        if camera.grab_results:
            return ERROR_CODE[camera.grab_results.popleft()]
        return ERROR_CODE.SUCCESS

    def _wait_for_frame(self) -> None:
        self._next_ns += round(1e9 / self._fps)
        time.sleep(max(self._next_ns - time.monotonic_ns(), 0) * 1e-9)

    def retrieve_image(self, py_mat, view=VIEW.LEFT, mem_type=MEM.CPU, resolution=None):
        if self._camera is None:
            return ERROR_CODE.CAMERA_NOT_INITIALIZED
        if not isinstance(view, VIEW) or not isinstance(mem_type, MEM):
            return ERROR_CODE.INVALID_FUNCTION_PARAMETERS
        py_mat._data = self._camera.image(*self._size, self._frame)
        return ERROR_CODE.SUCCESS

    def get_timestamp(self, time_reference: TIME_REFERENCE) -> Timestamp:
        stamp = Timestamp()
        if self._camera is not None:
            image = time_reference is TIME_REFERENCE.IMAGE
            stamp.data_ns = self._image_ns if image else time.time_ns()
        return stamp

    def get_frame_dropped_count(self) -> int:
        return self._dropped

    def get_camera_information(self, resizer=None) -> CameraInformation:
        return CameraInformation(self._camera, CameraConfiguration(*self._size, self._fps))

    def close(self) -> None:
        if self._camera is not None:
            self._camera.opened.clear()
        self._camera = None


def _devices(stereo: bool) -> list[DeviceProperties]:
    cameras = [c for c in rig.cameras if c.stereo == stereo]
    return [DeviceProperties(camera, index) for index, camera in enumerate(cameras)]


class Camera(_Device):
    """A stereo camera (ZED X Mini)."""

    @staticmethod
    def get_device_list(bus_type: BUS_TYPE = BUS_TYPE.AUTO) -> list[DeviceProperties]:
        return _devices(stereo=True)


class CameraOne(_Device):
    """A mono camera (ZED X One)."""

    _stereo = False

    def grab(self) -> ERROR_CODE:
        return super().grab()

    @staticmethod
    def get_device_list() -> list[DeviceProperties]:
        return _devices(stereo=False)
