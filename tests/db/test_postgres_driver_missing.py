"""A PostgreSQL URL without the psycopg driver installed names the fix, not another URL."""

from __future__ import annotations

import sys

import pytest

from kiosk.db.engine import make_engine
from kiosk.errors import UserError


@pytest.mark.parametrize("url", ["postgresql://kiosk@localhost/kiosk", "postgresql+psycopg://h/k"])
def test_missing_psycopg_names_the_install_command(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import psycopg` fail exactly as when it is not installed.
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(UserError) as raised:
        make_engine(url)
    message = str(raised.value)
    assert "pip install -e '.[postgres]'" in message
    assert "postgresql://…" not in message  # they gave one already
    assert message.count(".") >= 1 and "\n" not in message
