"""What the kiosk does when an archived student swipes: a setting of kiosk.toml and of the
check-in service. Its own module so that reading settings imports no database library."""

from __future__ import annotations

from typing import Literal, get_args

ArchivedPolicy = Literal["allow", "refuse"]
ARCHIVED_POLICIES: tuple[ArchivedPolicy, ...] = get_args(ArchivedPolicy)
