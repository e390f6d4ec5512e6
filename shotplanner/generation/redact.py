"""Keeping API keys out of logs and error texts.

Every key ``secrets`` hands out is registered here; ``redact`` replaces any registered key (and any
``Bearer``/``Key`` authorization value) with a placeholder. Errors redact their own message, and a
log record is redacted as it is made (any logger, any handler), so a key that slips into a provider's
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


def _redact_record(record: logging.LogRecord) -> None:
    """Rewrites a record's message (with its args merged) and exception text through ``redact``."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not kill logging
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None


_installed = False


def install_log_filter() -> None:
    """Redact every log record at birth, whichever logger made it (ours, httpx's) and whichever handler
    shows it, even one added later (by the app, by pytest). Idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
