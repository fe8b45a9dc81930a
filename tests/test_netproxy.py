"""The test helper tests/netproxy.py on a real echo server: forward, cut, blackhole, restore."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.netproxy import NetProxy


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A TCP echo server on 127.0.0.1 (one thread per connection)."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            try:
                while data := connection.recv(4096):
                    connection.sendall(data)
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def _connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.settimeout(5)
    return connection


def _echo(connection: socket.socket, data: bytes) -> bytes:
    connection.sendall(data)
    received = b""
    while len(received) < len(data):
        chunk = connection.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def test_it_forwards_both_ways(echo_port: int) -> None:
    with NetProxy("127.0.0.1", echo_port) as proxy, _connect(proxy.port) as client:
        assert _echo(client, b"hello" * 1000) == b"hello" * 1000
        assert proxy.connection_count == 1


def test_cut_resets_connections_and_refuses_new_ones_until_restored(echo_port: int) -> None:
    with NetProxy("127.0.0.1", echo_port) as proxy:
        client = _connect(proxy.port)
        assert _echo(client, b"before") == b"before"
        proxy.cut()
        with pytest.raises(ConnectionResetError):
            client.recv(10)
        client.close()
        with pytest.raises(ConnectionRefusedError):
            _connect(proxy.port)
        proxy.restore()
        with _connect(proxy.port) as again:  # the same port
            assert _echo(again, b"after") == b"after"


def test_blackhole_swallows_everything_and_restore_resets_what_it_swallowed(
    echo_port: int,
) -> None:
    with NetProxy("127.0.0.1", echo_port) as proxy:
        old = _connect(proxy.port)
        assert _echo(old, b"before") == b"before"
        proxy.blackhole()
        new = _connect(proxy.port)  # still accepted...
        for connection in (old, new):
            connection.sendall(b"lost")
            connection.settimeout(0.5)
            with pytest.raises(TimeoutError):  # ...but nothing comes back
                connection.recv(10)
        proxy.restore()
        for connection in (old, new):
            connection.settimeout(5)
            with pytest.raises(ConnectionResetError):
                connection.recv(10)
            connection.close()
        with _connect(proxy.port) as fresh:
            assert _echo(fresh, b"after") == b"after"
