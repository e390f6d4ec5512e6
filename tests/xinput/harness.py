"""Real X input for the UI tests: an Xvfb server, the real window on it, and xdotool.

Use from a test (the fixtures are in ``tests/xinput/conftest.py``; tests for this live under
``tests/xinput/`` or import the fixtures from there)::

    def test_drag(xserver, tmp_path):
        folder = ...  # a saved project
        with AppUnderTest(xserver, folder) as app:
            x, y = app.eval("global_center(window.view.viewport(), window.view.visualRect("
                            "window.model.index(0, 0)))")
            xserver.drag((x, y), (x + 400, y))
            assert app.save()
        project = storage.load_project(folder)  # read the result back from disk

``AppUnderTest.eval`` runs an expression on the window's GUI thread (see ``app_driver.py`` for what is in
scope) and returns its JSON value; ``exec`` runs statements. Input goes through the X server as a user's
would: xdotool moves the pointer and presses buttons and keys; Qt sees genuine X events.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1600, 1000)


class XInputError(RuntimeError):
    """The X server, xdotool or the app under test did not do what was asked."""


class XServer:
    """An Xvfb server on a free display (``-displayfd`` picks it), with xdotool helpers."""

    def __init__(self, size: tuple[int, int] = SCREEN) -> None:
        for tool in ("Xvfb", "xdotool"):
            if shutil.which(tool) is None:
                raise XInputError(f"{tool} is not installed (scripts/setup.sh installs it)")
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size[0]}x{size[1]}x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                self.proc.kill()
                raise XInputError("Xvfb did not report a display within 20 s")
            chunk = os.read(read_fd, 16)
            if not chunk:
                raise XInputError(f"Xvfb exited (code {self.proc.wait()}) before reporting a display")
            number += chunk
        os.close(read_fd)
        self.display = f":{number.decode().strip()}"
        self.size = size

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    # ------------------------------------------------------------------ xdotool

    def xdo(self, *args: object) -> str:
        env = dict(os.environ, DISPLAY=self.display)
        done = subprocess.run(["xdotool", *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=30)
        if done.returncode != 0:
            raise XInputError(f"xdotool {' '.join(map(str, args))}: {done.stderr.strip()}")
        return done.stdout

    def move(self, x: int, y: int) -> None:
        self.xdo("mousemove", "--sync", x, y)

    def click(self, x: int, y: int, button: int = 1, *, modifiers: str = "") -> None:
        self.move(x, y)
        if modifiers:
            self.xdo("keydown", modifiers)
        self.xdo("click", button)
        if modifiers:
            self.xdo("keyup", modifiers)
        time.sleep(0.05)

    def key(self, *keys: str) -> None:
        """Keys as xdotool names them: ``ctrl+z``, ``Escape``, ``ctrl+shift+z``."""
        self.xdo("key", "--clearmodifiers", *keys)
        time.sleep(0.05)

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", 20, text)

    def wheel(self, x: int, y: int, clicks: int) -> None:
        """Scroll at (x, y): positive clicks scroll down (button 5), negative up (button 4)."""
        self.move(x, y)
        button = 5 if clicks > 0 else 4
        for _ in range(abs(clicks)):
            self.xdo("click", button)
            time.sleep(0.03)

    def drag(self, start: tuple[int, int] | list[int], end: tuple[int, int] | list[int], *,
             steps: int = 24, step_delay: float = 0.02, hold: float = 0.3, modifiers: str = "") -> None:
        """Press at ``start``, move there in small steps as a hand would, linger, release at ``end``.

        Qt starts a drag only after the pointer has moved ``startDragDistance`` with the button down,
        and shows drop feedback on motion; one jump from start to end would not be a real drag.
        """
        (x0, y0), (x1, y1) = start, end
        self.move(x0, y0)
        if modifiers:
            self.xdo("keydown", modifiers)
        self.xdo("mousedown", 1)
        time.sleep(0.1)
        for i in range(1, steps + 1):
            self.xdo("mousemove", round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps))
            time.sleep(step_delay)
        time.sleep(hold)
        self.xdo("mousemove", x1 + 1, y1)  # a last motion over the target refreshes drop feedback
        time.sleep(0.1)
        self.xdo("mouseup", 1)
        if modifiers:
            self.xdo("keyup", modifiers)
        time.sleep(0.3)


class AppUnderTest:
    """The real window (``shotplanner.app.main_gui``) on ``server``, steered through app_driver.py."""

    def __init__(self, server: XServer, project: Path, *, geometry: tuple[int, int, int, int] | None =
                 (0, 0, 1400, 900), env: dict[str, str] | None = None, timeout: float = 60) -> None:
        """``geometry=None`` leaves the window where the app puts it (its remembered geometry)."""
        self.server = server
        read_fd, write_fd = os.pipe()
        child_env = dict(os.environ)
        child_env.update(DISPLAY=server.display, QT_QPA_PLATFORM="xcb",
                         PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        child_env.pop("QT_QPA_PLATFORMTHEME", None)
        child_env.update(env or {})
        where = ["--geometry", ",".join(map(str, geometry))] if geometry is not None else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.xinput.app_driver", str(project), "--reply-fd", str(write_fd),
             *where],
            pass_fds=(write_fd,), stdin=subprocess.PIPE, text=True, cwd=ROOT, env=child_env)
        os.close(write_fd)
        self._replies = os.fdopen(read_fd, "r")
        self._timeout = timeout
        first = self._read()
        if not first.get("ready"):
            raise XInputError(f"the app did not start: {first}")

    def _read(self) -> dict[str, Any]:
        ready, _, _ = select.select([self._replies], [], [], self._timeout)
        if not ready:
            raise XInputError(f"the app did not answer within {self._timeout} s")
        line = self._replies.readline()
        if not line:
            raise XInputError(f"the app exited (code {self.proc.poll()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _ask(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        if "error" in reply:
            raise XInputError(f"in the app: {reply['error']}")
        return reply.get("ok")

    def eval(self, expr: str) -> Any:
        return self._ask({"eval": expr})

    def exec(self, code: str) -> None:
        self._ask({"exec": code})

    def save(self) -> bool:
        return bool(self._ask({"save": True}))

    def settle(self, seconds: float = 0.3) -> None:
        """Let the app handle what the X server delivered (then ask it something to be sure)."""
        time.sleep(seconds)
        self.eval("app.processEvents() or True")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._ask({"quit": True})
            except (XInputError, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._replies.close()

    def __enter__(self) -> AppUnderTest:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class FileDragSource:
    """Another X client holding files to drag (``file_source.py``), at ``geometry`` on ``server``.

    ``drag_to(point)`` presses on it and carries the files to ``point`` through XDND, as a drag from a
    file manager would; ``result()`` is the action the drop target answered (``CopyAction``…).
    """

    def __init__(self, server: XServer, files: list[Path], *,
                 geometry: tuple[int, int, int, int] = (1450, 850, 120, 100)) -> None:
        self.server = server
        self.geometry = geometry
        env = dict(os.environ, DISPLAY=server.display, QT_QPA_PLATFORM="xcb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.xinput.file_source", ",".join(map(str, geometry)),
             *map(str, files)], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        if self._line() != "ready":
            raise XInputError("the file drag source did not start")

    def _line(self, timeout: float = 20) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise XInputError("the file drag source did not answer")
        return self.proc.stdout.readline().strip()

    def drag_to(self, end: tuple[int, int] | list[int]) -> str:
        x, y, w, h = self.geometry
        self.server.drag((x + w // 2, y + h // 2), end, steps=30)
        return self._line().removeprefix("dropped ")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> FileDragSource:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
