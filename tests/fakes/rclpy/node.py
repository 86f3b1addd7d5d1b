"""rclpy.node.Node: subscriptions only."""

from __future__ import annotations

import re
from collections import deque

from rclpy import _graph
from rclpy.exceptions import (
    InvalidNodeNameException,
    InvalidTopicNameException,
    NotInitializedException,
)
from rclpy.qos import QoSProfile

_NODE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOPIC_NAME = re.compile(r"^/?[A-Za-z_~{][A-Za-z0-9_/{}~]*$")


class Subscription:
    def __init__(self, node, msg_type, topic, callback, depth) -> None:
        self.node = node
        self.msg_type = msg_type
        self.topic = topic
        self.callback = callback
        self.queue: deque = deque(maxlen=depth)

    @property
    def topic_name(self) -> str:
        return self.topic


class Node:
    def __init__(self, node_name, *, context=None, namespace=None, **kwargs) -> None:
        if context is None or not context.ok():
            raise NotInitializedException("cannot create node")
        if not _NODE_NAME.match(node_name):
            raise InvalidNodeNameException(f"invalid node name {node_name!r}")
        self._name = node_name
        self.context = context
        self.subscriptions: list[Subscription] = []

    def get_name(self) -> str:
        return self._name

    def create_subscription(
        self,
        msg_type,
        topic,
        callback,
        qos_profile,
        *,
        callback_group=None,
        event_callbacks=None,
        qos_overriding_options=None,
        raw=False,
    ) -> Subscription:
        if not _TOPIC_NAME.match(topic):
            raise InvalidTopicNameException(f"invalid topic name {topic!r}")
        depth = qos_profile.depth if isinstance(qos_profile, QoSProfile) else int(qos_profile)
        resolved = topic if topic.startswith("/") else "/" + topic
        subscription = Subscription(self, msg_type, resolved, callback, depth)
        self.subscriptions.append(subscription)
        _graph.add(subscription)
        return subscription

    def destroy_subscription(self, subscription) -> bool:
        if subscription not in self.subscriptions:
            return False
        self.subscriptions.remove(subscription)
        _graph.remove(subscription)
        return True

    def destroy_node(self) -> None:
        for subscription in list(self.subscriptions):
            self.destroy_subscription(subscription)
