"""What media code raises: one base class, so callers can catch every clip problem in one place."""

from __future__ import annotations


class MediaError(Exception):
    """A clip or image could not be read, probed or written. The message names the file and the reason."""


class InvalidShot(MediaError):
    """The shot cannot be rendered as asked (zero or absurd duration…). Raised before any file is written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("cannot render this shot: " + "; ".join(problems))


class RenderCanceled(MediaError):
    """The render was stopped on request; no partial file was left behind."""
