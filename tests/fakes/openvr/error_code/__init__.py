"""Fake ``openvr.error_code``: the exception classes pyopenvr raises for OpenVR error codes.

Like pyopenvr's, every class subclasses :class:`OpenVRError`; ``check_error_value`` looks the
code up in the family's ``error_index`` and raises the matching class (message empty, the code
in ``error_value``) unless it is the family's success value.
"""

from typing import ClassVar


class OpenVRError(Exception):
    """Raised when an OpenVR function returns a failure code."""


class ErrorCode(OpenVRError):
    error_index: ClassVar[dict] = {}
    is_error = True

    @classmethod
    def check_error_value(cls, error_value, message=""):
        error_class = cls.error_index[int(error_value)]
        if not error_class.is_error:
            return
        raise error_class(error_value, message)

    def __init__(this, error_value, message=""):
        super().__init__(message)
        this.error_value = error_value


class BufferTooSmallError(ErrorCode):
    pass


class TrackedPropertyError(ErrorCode):
    error_index: ClassVar[dict] = {}


class TrackedProp_Success(TrackedPropertyError):
    is_error = False


class TrackedProp_WrongDataType(TrackedPropertyError):
    pass


class TrackedProp_UnknownProperty(TrackedPropertyError):
    pass


class TrackedProp_InvalidDevice(TrackedPropertyError):
    pass


class TrackedProp_ValueNotProvidedByDevice(TrackedPropertyError):
    pass


TrackedPropertyError.error_index[0] = TrackedProp_Success
TrackedPropertyError.error_index[1] = TrackedProp_WrongDataType
TrackedPropertyError.error_index[4] = TrackedProp_UnknownProperty
TrackedPropertyError.error_index[5] = TrackedProp_InvalidDevice
TrackedPropertyError.error_index[7] = TrackedProp_ValueNotProvidedByDevice


class InitError(ErrorCode):
    error_index: ClassVar[dict] = {}


class InitError_None(InitError):
    is_error = False


class InitError_Init_InstallationNotFound(InitError):
    pass


class InitError_Init_HmdNotFound(InitError):
    pass


class InitError_Init_PathRegistryNotFound(InitError):
    pass


class InitError_Init_NoServerForBackgroundApp(InitError):
    pass


InitError.error_index[0] = InitError_None
InitError.error_index[100] = InitError_Init_InstallationNotFound
InitError.error_index[108] = InitError_Init_HmdNotFound
InitError.error_index[110] = InitError_Init_PathRegistryNotFound
InitError.error_index[121] = InitError_Init_NoServerForBackgroundApp
