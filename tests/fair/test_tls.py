"""TLS as docs/multi-kiosk.md section 2 sets it up, on a throwaway PostgreSQL server of the
test's own (tests/pgcluster.py) with ``ssl = on``, a self-signed certificate made by
``openssl`` for 127.0.0.1, and ``pg_hba.conf`` refusing connections without TLS: a fair-mode
kiosk connects with ``sslmode=require`` and with ``sslmode=verify-full`` (the certificate
as its ``sslrootcert``) and checks a student in over TLS; without TLS, or with a CA that did
not sign the server's certificate, it is refused with one sentence. Skipped, with the
reason, without the server binaries or ``openssl``."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.checkin.events import create_event
from kiosk.db.session import open_database
from kiosk.errors import UserError
from kiosk.roster import import_roster
from tests.conftest import FIXTURES
from tests.fair.kiosks import close_kiosk, open_kiosk, swipe
from tests.pgcluster import SUPERUSER, ThrowawayCluster, missing_reason

ROSTER = FIXTURES / "roster" / "base.csv"
ANA = "0012345678"


def _self_signed(key: Path, cert: Path, host: str) -> None:
    subprocess.run(
        ["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-newkey", "rsa:2048",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@pytest.fixture(scope="module")
def tls_cluster() -> Iterator[ThrowawayCluster]:
    """A server that takes TLS connections only, its certificate for 127.0.0.1."""
    reason = missing_reason() or (None if shutil.which("openssl") else "openssl is missing")
    if reason is not None:
        pytest.skip(reason)
    cluster = ThrowawayCluster()
    try:
        cluster.init()
        _self_signed(cluster.data / "server.key", cluster.data / "server.crt", "127.0.0.1")
        (cluster.data / "server.key").chmod(0o600)
        if os.geteuid() == 0:  # the server runs as postgres and must own its key
            user = pwd.getpwnam(SUPERUSER)
            for name in ("server.key", "server.crt"):
                os.chown(cluster.data / name, user.pw_uid, user.pw_gid)
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\nssl = on\n")  # server.crt and server.key in the data folder
        hba = cluster.data / "pg_hba.conf"
        hba.write_text(
            "hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n"
            + hba.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def ca_file(tls_cluster: ThrowawayCluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's certificate, readable by the kiosk: its own CA (it is self-signed)."""
    copy = tmp_path_factory.mktemp("ca") / "db-ca.crt"
    shutil.copyfile(tls_cluster.data / "server.crt", copy)
    return copy


@pytest.mark.parametrize("ssl", ["sslmode=require", "sslmode=verify-full&sslrootcert={ca}"])
async def test_a_kiosk_checks_students_in_over_tls(
    tls_cluster: ThrowawayCluster, ca_file: Path, tmp_path: Path, ssl: str
) -> None:
    database = f"tls_{len(ssl)}"
    url = f"{tls_cluster.url(database)}?{ssl.format(ca=ca_file)}"
    owner = open_database(url)
    import_roster(owner, ROSTER)
    event = create_event(owner, "Fall Career Fair", "2026-10-14", "fair")
    desk = await open_kiosk(url, event, tmp_path / "replica.sqlite3", "door-a")
    assert (await desk.handle_swipe(swipe(ANA))).kind == "checked_in"
    with desk.engine.connect() as connection:
        assert connection.execute(
            text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ).scalar_one()
    close_kiosk(desk)
    owner.dispose()


def test_without_tls_or_with_another_ca_the_kiosk_is_refused_in_one_sentence(
    tls_cluster: ThrowawayCluster, tmp_path: Path
) -> None:
    url = tls_cluster.url("tls_refused")
    with pytest.raises(UserError, match="no encryption") as plain:
        open_database(f"{url}?sslmode=disable").dispose()
    _self_signed(tmp_path / "other.key", tmp_path / "other.crt", "127.0.0.1")
    with pytest.raises(UserError, match="certificate verify failed") as other_ca:
        open_database(f"{url}?sslmode=verify-full&sslrootcert={tmp_path / 'other.crt'}")
    for refused in (plain.value, other_ca.value):
        assert "Check the --db URL" in str(refused) and "\n" not in str(refused).strip()
