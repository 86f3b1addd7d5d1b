"""The fake's test hook, not part of rclpy: the in-process topic graph that carries
messages from tests to subscriptions, and the failures tests can inject."""

from __future__ import annotations

import threading

from rclpy._rclpy_pybind11 import RCLError

condition = threading.Condition()
_subscriptions: list = []
init_error: str | None = None
"""When set, Context.init fails with RCLError(init_error) (a broken ROS 2 setup)."""


def check_init() -> None:
    if init_error is not None:
        raise RCLError(init_error)


def add(subscription) -> None:
    with condition:
        _subscriptions.append(subscription)


def remove(subscription) -> None:
    with condition:
        if subscription in _subscriptions:
            _subscriptions.remove(subscription)


def wake() -> None:
    with condition:
        condition.notify_all()


def subscriber_count(topic: str) -> int:
    with condition:
        return sum(s.topic == topic and s.node.context.ok() for s in _subscriptions)


def publish(topic: str, message) -> int:
    """Queue ``message`` for every live subscription of ``topic`` and its type; returns how
    many received it."""
    with condition:
        targets = [
            s
            for s in _subscriptions
            if s.topic == topic and s.node.context.ok() and isinstance(message, s.msg_type)
        ]
        for subscription in targets:
            subscription.queue.append(message)
        condition.notify_all()
    return len(targets)


def shutdown_subscribers(topic: str) -> None:
    """Shut down the context of every subscriber of ``topic`` from outside (as a signal
    handler would)."""
    with condition:
        contexts = {id(s.node.context): s.node.context for s in _subscriptions if s.topic == topic}
    for context in contexts.values():
        context.try_shutdown()


def reset() -> None:
    global init_error
    with condition:
        _subscriptions.clear()
        init_error = None
        condition.notify_all()
