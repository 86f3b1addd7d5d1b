"""PySide6 + pyqtgraph windows; reads Station snapshots, sends commands."""
