"""Keeping API keys out of logs and error texts.

Every key ``secrets`` hands out is registered here; ``redact`` replaces any registered key (and any
``Bearer``/``Key`` authorization value) with a placeholder. Errors redact their own message, and a
logging filter redacts every record of the ``shotplanner`` loggers, so a key that slips into a provider's
echoed response or an exception chain never reaches a log line, the project file or the UI.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
_AUTH_RE = re.compile(r"(?i)\b(bearer|key|token)(\s+|=|:\s*)([A-Za-z0-9._\-:/+=]{12,})")
PLACEHOLDER = "***"


def register_secret(value: str | None) -> None:
    """Remember a secret so later texts have it removed. Very short values are ignored (too common)."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, PLACEHOLDER)
    return _AUTH_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{PLACEHOLDER}", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (with its args merged) and exception text through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_installed = False


def install_log_filter(logger_name: str = "shotplanner") -> None:
    """Attach the filter to our logger and to every handler of the root logger (idempotent)."""
    global _installed
    flt = RedactingFilter()
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(flt)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    # httpx logs request lines at INFO; its URLs carry no keys (all our keys travel in headers),
    # but filter it too so an echoed key in a future change cannot leak.
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactingFilter) for f in httpx_logger.filters):
        httpx_logger.addFilter(flt)
    if not _installed:
        # Handlers added later (by the app, by pytest) never saw our filter: redact every record at birth.
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            RedactingFilter().filter(record)
            return record

        logging.setLogRecordFactory(factory)
    _installed = True
