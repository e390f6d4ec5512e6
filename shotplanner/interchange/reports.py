"""What an import did, for the CLI and the window to show (exports use ``cut.ExportReport``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shotplanner.interchange.cut import ExportReport

__all__ = ["BadInputError", "ExportReport", "ImportReport"]


@dataclass(slots=True)
class ImportReport:
    source: str
    scenes_added: int = 0
    shots_added: int = 0
    shots_updated: int = 0
    #: Rows (or elements) left out because they could not be read; each is named in ``warnings``.
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{self.source}: {self.scenes_added} scenes added, {self.shots_added} shots added,"
            f" {self.shots_updated} shots updated"
        ]
        return out + self.warnings


class BadInputError(ValueError):
    """The input cannot be imported; the message names the line. Nothing was changed."""
