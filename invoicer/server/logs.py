"""Logging set-up for `invoicer serve`: uvicorn's format, with secrets kept out.

Standard WebSocket providers pass the API token as a `token` query parameter, and uvicorn
logs each request's path with its query string; the filter below blanks the value.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

__all__ = ["RedactSecrets", "redact", "uvicorn_log_config"]

_SECRET_PARAMS = re.compile(r"(?i)([?&](?:token|access_token|password)=)[^&\s\"']*")


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    """Blank token and password query parameters in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    # Our own loggers go through uvicorn's default handler, at INFO.
    config["loggers"]["invoicer"] = {"handlers": ["default"], "level": "INFO",
                                     "propagate": False}
    return config
