"""Starting a kiosk on a shared database: online when it answers, else from the replica.

A kiosk that boots (or is restarted, or was killed) while the shared database cannot be
reached starts from its replica and queue and loses nothing; one that has never reached it
has no roster to check students in against, and says so in one sentence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from kiosk.db.engine import bound_server_waits
from kiosk.db.session import PermissionMissing, open_database
from kiosk.errors import UserError
from kiosk.fair.link import SharedLink
from kiosk.fair.replica import Replica
from kiosk.paths import data_dir

log = logging.getLogger(__name__)


def uses_fair_mode(url: str) -> bool:
    """Fair mode is for a database several kiosks share: PostgreSQL."""
    return url.startswith(("postgresql:", "postgresql+", "postgres:"))


def default_replica_path(kiosk_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in kiosk_id) or "kiosk"
    return data_dir() / f"replica-{safe}.sqlite3"


@dataclass
class SharedStart:
    """The shared database's engine (maybe unreachable), the replica, and the link state.
    ``local`` is the engine to read the event, PIN and settings from now."""

    shared: Engine
    replica: Replica
    link: SharedLink

    @property
    def local(self) -> Engine:
        return self.shared if self.link.online else self.replica.engine


def open_shared(url: str, replica_path: Path) -> SharedStart:
    """Open the shared database (migrated) and the replica; offline when the database does
    not answer and the replica has what the kiosk needs."""
    replica = Replica(replica_path)
    try:
        shared = open_database(url)
    except PermissionMissing:  # it answered: a GRANT is missing, not the network
        replica.close()
        raise
    except UserError as error:
        if replica.refreshed_at() is None:
            replica.close()
            raise UserError(
                "This kiosk has never reached the shared database, so it has no copy of the "
                f"roster to check students in with ({error}). Connect it to the network, "
                "start it once online (kiosk doctor checks the connection), then it can go on "
                "alone when the network drops."
            ) from None
        log.warning("shared database unreachable at start: checking in from the replica")
        shared = open_database(url, migrate=False)
        bound_server_waits(shared)
        link = SharedLink(shared, online=False, reason="unreachable at start")
        return SharedStart(link.shared, replica, link)
    bound_server_waits(shared)  # a frozen server holds no thread (kiosk.db.engine)
    return SharedStart(shared, replica, SharedLink(shared))
