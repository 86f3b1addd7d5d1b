"""rclpy.executors: SingleThreadedExecutor and its shutdown exceptions."""

from __future__ import annotations

import time

from rclpy import _graph


class ShutdownException(Exception):
    """spin called on an executor that was shut down."""


class ExternalShutdownException(Exception):
    """The executor's context was shut down while it spun."""


class SingleThreadedExecutor:
    def __init__(self, *, context=None) -> None:
        import rclpy

        self._context = context or rclpy.get_default_context()
        self._nodes: list = []
        self._is_shutdown = False

    @property
    def context(self):
        return self._context

    def add_node(self, node) -> bool:
        if node in self._nodes:
            return False
        self._nodes.append(node)
        return True

    def remove_node(self, node) -> None:
        if node in self._nodes:
            self._nodes.remove(node)

    def get_nodes(self) -> list:
        return list(self._nodes)

    def spin_once(self, timeout_sec=None) -> None:
        """Run at most one ready callback, waiting up to ``timeout_sec`` (None: forever)."""
        deadline = None if timeout_sec is None else time.monotonic() + timeout_sec
        with _graph.condition:
            while True:
                if self._is_shutdown:
                    raise ShutdownException()
                if not self._context.ok():
                    raise ExternalShutdownException()
                ready = next((s for n in self._nodes for s in n.subscriptions if s.queue), None)
                if ready is not None:
                    message = ready.queue.popleft()
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return
                _graph.condition.wait(remaining)
        ready.callback(message)

    def shutdown(self, timeout_sec=None) -> bool:
        self._is_shutdown = True
        self._nodes = []
        _graph.wake()
        return True
