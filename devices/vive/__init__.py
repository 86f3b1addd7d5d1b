"""HTC VIVE trackers through OpenVR (SteamVR): on this machine, or from a pose sender on the
SteamVR machine over ZMQ."""
