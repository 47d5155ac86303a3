"""An operation's fuzz cases drawn once per `make test`, not once per test process.

`tests/test_fuzz.py` draws an operation's cases (its examples, the coverage phase, 15
fuzzed cases) with schemathesis's own builder, derandomized: every process that draws them
gets the same cases. Both databases' passes run at once, each with two workers, so an
operation was drawn two to four times per run, about a third of a second each (0.95 s for
`POST /v1/households`'s 509 cases). `make test` hands every process one directory for the
run (`ENVAGIN_FUZZ_CASES`, removed when the run ends): the first process to need an
operation draws it and leaves the cases there, the others wait for it on a lock and read
them back (about 10 ms). Without the variable (pytest run by hand) each process draws for
itself, as before.

What is stored is every field of a case but its operation (a schemathesis object the
reading process finds by label in its own schema). A case keeps hashes of what it was
generated with, to tell later whether something changed it (each equal, when drawing ends,
to the hash of the value it stands for); Python's string hashes differ from process to
process, so a case read back takes each anew from its value.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schemathesis.core import NOT_SET
from schemathesis.generation.case import Case
from schemathesis.generation.overrides import store_components

DIRECTORY = "ENVAGIN_FUZZ_CASES"
# What `Case.__init__` derives from the other fields is derived again when a case is read.
_FIELDS = tuple(name for name in Case.__slots__ if name not in {"operation", "_components"})


class _NoBody:
    """Stored for schemathesis's "no body" marker, which it compares by identity (a class
    is pickled by name, so it comes back as itself)."""


def shared(
    label: str, document: bytes, operation: Any, draw: Callable[[], tuple[Any, ...]]
) -> tuple[Any, ...]:
    """The operation's cases: read back if a process of this run drew them, else drawn
    here (by `draw`) and left for the others. `document` (the schema's bytes) is part of
    the key, so a directory reused with another document is never read for it."""
    directory = os.environ.get(DIRECTORY)
    if not directory:
        return draw()
    key = hashlib.sha256(document + b"\0" + label.encode()).hexdigest()[:32]
    stored = Path(directory) / f"{key}.pickle"
    with open(Path(directory) / f"{key}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if stored.exists():
            return tuple(_case(operation, fields) for fields in pickle.loads(stored.read_bytes()))
        cases = draw()
        partial = stored.with_suffix(".partial")
        partial.write_bytes(pickle.dumps([_fields(case) for case in cases]))
        partial.replace(stored)
        return cases


def _fields(case: Any) -> dict[str, Any]:
    fields = {name: getattr(case, name) for name in _FIELDS}
    if fields["body"] is NOT_SET:
        fields["body"] = _NoBody
    return fields


def _case(operation: Any, fields: dict[str, Any]) -> Any:
    case: Any = object.__new__(Case)
    object.__setattr__(case, "operation", operation)
    for name, value in fields.items():
        object.__setattr__(case, name, NOT_SET if value is _NoBody else value)
    object.__setattr__(case, "_components", store_components(case))
    meta = case._meta
    if meta is not None:  # each stored hash is the hash of its container as drawn
        for hashes in (meta._initial_hashes, meta._last_validated_hashes):
            for location in hashes:
                hashes[location] = case._hash_container(case.get_container(location))
    return case
