"""Key rotation: seal every sealed value of every domain with the key that seals now
(`python -m app webhooks reseal`, after a new key was put first in
`ENVAGIN_WEBHOOK_SECRET_KEYS`, and once for webhook secrets written before they were
sealed). The mechanism is one (`app.core.sealing.reseal`); each domain that seals offers
its values, so dropping the old key afterwards leaves nothing unreadable."""

from __future__ import annotations

from itertools import chain

from sqlalchemy.orm import Session

from app.core.sealing import reseal, sealer_of
from app.events.service import sealed_secrets
from app.prevention.service import sealed_identities


def reseal_all(session: Session) -> dict[str, int]:
    """Counts over every sealed value: `resealed`, `current` (already under the new key),
    `unreadable` (no configured key opens it; left as it is)."""
    counts = reseal(sealer_of(session), chain(sealed_secrets(session), sealed_identities(session)))
    session.flush()
    return counts
