"""Fake rclpy (ROS 2 Jazzy's Python client library, rclpy 7): the part the Manus glove backend uses,
with rclpy's names, keyword-only signatures, return values and exceptions.

Messages travel in process: tests publish with :func:`rclpy._graph.publish`, which is the
fake's own test hook and not part of rclpy.
"""

from __future__ import annotations

from rclpy.context import Context
from rclpy.node import Node

_default_context = Context()


def get_default_context() -> Context:
    return _default_context


def init(*, args=None, context=None, domain_id=None, signal_handler_options=None) -> None:
    """Initialize ``context`` (default: the global one); RuntimeError if already done."""
    (context or _default_context).init(args, domain_id=domain_id)


def ok(*, context=None) -> bool:
    return (context or _default_context).ok()


def shutdown(*, context=None, uninstall_handlers=None) -> None:
    (context or _default_context).shutdown()


def create_node(
    node_name,
    *,
    context=None,
    cli_args=None,
    namespace=None,
    use_global_arguments=True,
    enable_rosout=True,
    start_parameter_services=True,
    parameter_overrides=None,
    allow_undeclared_parameters=False,
    automatically_declare_parameters_from_overrides=False,
    enable_logger_service=False,
) -> Node:
    return Node(node_name, context=context or _default_context, namespace=namespace)
