"""The GUI thread gets the interpreter lock back quickly.

Python hands its lock between threads every 5 ms by default. The window's own background threads (the
generation worker pipe's reader unpickling job events, a decoder's Python part, an autosave write) each
keep the GUI thread waiting up to that long whenever they hold it, several times in one frame while 200
jobs report. A 1 ms interval keeps those waits short (``bench/ui_load.py``: the worst stall went from about
20–30 ms to about 12–15 ms); the cost is more hand-overs between busy background threads.
"""

from __future__ import annotations

import sys

#: Seconds between hand-overs of the interpreter lock in the window's process.
GUI_SWITCH_INTERVAL_S = 0.001


def prefer_gui_thread() -> None:
    """Call once in the window's process (the app, a benchmark of it), before the event loop runs."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
