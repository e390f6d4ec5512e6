"""Messages between the app and its generation worker process: length-prefixed pickles over a pipe pair.

Both ends are the same program, started by each other over private pipes (``worker_process``), so
pickle is safe here and keeps dataclasses (requests, job events) whole without a schema of their own.

A :class:`FramedPipe` has one reader thread and one writer thread: :meth:`send` never blocks its caller
(the GUI thread must not wait for a slow child to read a batch of 200 requests), and received messages
are handed to ``on_message`` on the reader thread, which must return quickly (put them in an inbox).
Give it unbuffered files (``buffering=0``): a daemon thread blocked reading a *buffered* file holds that
file's lock, and Python aborts at exit when it cannot take it ("could not acquire lock ... at interpreter
shutdown").
"""

from __future__ import annotations

import logging
import pickle
import queue
import threading
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

#: A frame is its size (4 bytes, big-endian) and then the pickle.
_HEADER = 4
#: No message comes near this; a larger size means the stream is not ours (or is corrupt).
MAX_FRAME = 256 * 1024 * 1024


class PipeClosed(ConnectionError):
    """The other end has gone (it exited, or closed its side)."""


class FramedPipe:
    """Send and receive pickled messages over a readable and a writable binary file."""

    def __init__(
        self,
        reader: IO[bytes],
        writer: IO[bytes],
        on_message: Callable[[Any], None],
        on_closed: Callable[[], None],
        *,
        name: str = "pipe",
    ) -> None:
        self.name = name
        self._reader = reader
        self._writer = writer
        self._on_message = on_message
        self._on_closed = on_closed
        self._out: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._read_thread = threading.Thread(target=self._read_loop, name=f"{name}-read", daemon=True)
        self._write_thread = threading.Thread(target=self._write_loop, name=f"{name}-write", daemon=True)

    def start(self) -> FramedPipe:
        self._read_thread.start()
        self._write_thread.start()
        return self

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def send(self, message: Any) -> None:
        """Queue ``message`` for the other end (pickled here, written by the writer thread)."""
        if self._closed.is_set():
            raise PipeClosed(f"{self.name} is closed")
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._out.put(len(body).to_bytes(_HEADER, "big") + body)

    def close(self, timeout: float = 2.0) -> None:
        """Write what is queued, then close the writing side (the other end reads end-of-file)."""
        self._out.put(None)
        if self._write_thread.is_alive() and threading.current_thread() is not self._write_thread:
            self._write_thread.join(timeout)

    # ------------------------------------------------------------------ threads

    def _write_loop(self) -> None:
        try:
            while (frame := self._out.get()) is not None:
                view = memoryview(frame)
                while view:  # an unbuffered file may take a frame in several writes
                    written = self._writer.write(view)
                    view = view[written or 0:]
                self._writer.flush()
        except (OSError, ValueError):  # the other end is gone (broken pipe) or the file was closed
            pass
        finally:
            self._closed.set()
            try:
                self._writer.close()
            except (OSError, ValueError):
                pass

    def _read_exact(self, size: int) -> bytes | None:
        chunks = []
        while size:
            chunk = self._reader.read(size)
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _read_loop(self) -> None:
        try:
            while True:
                header = self._read_exact(_HEADER)
                if header is None:
                    break
                size = int.from_bytes(header, "big")
                if size > MAX_FRAME:
                    log.error("%s: a frame of %d bytes is not ours; closing", self.name, size)
                    break
                body = self._read_exact(size)
                if body is None:
                    break
                try:
                    message = pickle.loads(body)
                except Exception as exc:  # one bad message must not end the conversation
                    log.error("%s: a message could not be read: %s", self.name, exc)
                    continue
                try:
                    self._on_message(message)
                except Exception:  # the receiver's bug: logged, and the conversation goes on
                    log.exception("%s: handling a message failed", self.name)
        except (OSError, ValueError):
            pass
        finally:
            self._closed.set()
            self._out.put(None)  # the writer ends too: nobody is listening any more
            self._on_closed()
