"""The card rules file a command uses when none is named: the one ``kiosk run`` uses.

Shared by ``kiosk parse`` and ``kiosk rules check``. kiosk.toml is read (with pydantic) only
when it exists, so ``kiosk parse`` without one still starts without the settings library.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.paths import default_config_path, default_rules_path


def rules_path(given: Path | None = None) -> Path | None:
    """``given`` (``--rules``), else kiosk.toml's ``rules_file``, else card-rules.toml in the
    configuration directory when it exists; None: no rules file, swipes match by card_id
    containment only. A kiosk.toml that cannot be used raises its one-sentence ConfigError;
    a configured rules file that is missing is returned, for loading it to say so."""
    if given is not None:
        return given
    if default_config_path().exists():
        from kiosk.config import load_config

        configured = load_config().rules_file
        if configured is not None:
            return configured
    default = default_rules_path()
    return default if default.exists() else None
