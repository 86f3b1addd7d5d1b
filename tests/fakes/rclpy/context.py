"""rclpy.context.Context: initialized once, shut down once."""

from __future__ import annotations

from rclpy import _graph
from rclpy._rclpy_pybind11 import RCLError


class Context:
    def __init__(self) -> None:
        self._initialized = False
        self._shutdown = False
        self.domain_id: int | None = None

    def init(self, args=None, *, initialize_logging=True, domain_id=None) -> None:
        if domain_id is not None and domain_id < 0:
            raise RuntimeError(f"Domain id ({domain_id}) should not be lower than zero.")
        if self._initialized:
            raise RuntimeError("Context.init() must only be called once")
        _graph.check_init()
        self._initialized = True
        self.domain_id = domain_id

    def ok(self) -> bool:
        return self._initialized and not self._shutdown

    def shutdown(self) -> None:
        if not self._initialized:
            raise RuntimeError("Context must be initialized before it can be shutdown")
        if self._shutdown:
            raise RCLError("failed to shutdown: rcl_shutdown already called on the given context")
        self._shutdown = True
        _graph.wake()

    def try_shutdown(self) -> None:
        if self.ok():
            self.shutdown()
