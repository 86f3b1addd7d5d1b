"""ZED cameras: the ``zed`` backend (pyzed on the machine the camera is wired to), the Jetson
publisher and its ``zmq`` receiver backend (frames as JPEG over ZMQ, docs/camera_bridge.md)."""
