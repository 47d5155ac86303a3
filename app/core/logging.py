"""Structured JSON logs on stdout with the request id bound to every line (structlog).

Both structlog's loggers and the standard library's handler look up `sys.stdout` when they
write, not when they are configured: a process that swaps stdout (pytest's capture, a
supervisor redirect) still gets every line, and the tests can read the logs they assert on.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any, TextIO

import structlog

_WRITE_LOCK = threading.Lock()


class StdoutLogger:
    """A structlog logger writing one rendered line per event to the current `sys.stdout`.

    The lock keeps lines whole when handlers run in uvicorn's thread pool concurrently.
    """

    def msg(self, message: str) -> None:
        stream = sys.stdout
        with _WRITE_LOCK:
            stream.write(message + "\n")
            stream.flush()

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _stdout_logger(*_args: Any) -> StdoutLogger:
    return StdoutLogger()


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stdlib handler whose stream is whatever `sys.stdout` is at emit time."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        # StreamHandler.__init__ and setStream assign; the stream is always resolved late.
        return


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Route structlog and the standard library through one renderer on stdout: JSON lines
    for machines (the default), coloured console lines for a developer (`json=False`)."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stdout_logger,
        cache_logger_on_first_use=False,
    )
    handler = StdoutHandler()
    # Library lines (procrastinate, uvicorn, SQLAlchemy) get the same fields, their
    # `extra` values and, for an error, the traceback as one `exception` field.
    foreign: list[structlog.types.Processor] = [
        *shared,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.format_exc_info,
    ]
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=foreign, processor=renderer)
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log would print paths with ids; our own request log does not.
    logging.getLogger("uvicorn.access").disabled = True


log = structlog.get_logger("app")


class Outage:
    """One warning when a dependency is first found unavailable and one when it answers
    again, with how many requests met the outage — not a line per refused request (a
    16-second database outage under load was 442 identical lines)."""

    def __init__(self, event: str) -> None:
        self.event = event
        self._refused = 0
        self._lock = threading.Lock()

    def refused(self, error: str) -> None:
        """A request met the outage; the first of an outage is logged at once."""
        with self._lock:
            self._refused += 1
            first = self._refused == 1
        if first:
            log.warning(self.event, error=error)

    def answered(self) -> None:
        """The dependency answered; ends an outage, if one was open, with its count."""
        if not self._refused:  # the common case: no lock, no line
            return
        with self._lock:
            refused, self._refused = self._refused, 0
        if refused:
            log.warning(f"{self.event}_ended", refused_requests=refused)
