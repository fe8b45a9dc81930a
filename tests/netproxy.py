"""A TCP proxy for tests: put it between the kiosk and a server, then break the network.

    with NetProxy("localhost", 5432) as proxy:
        url = f"postgresql://kiosk:kiosk@127.0.0.1:{proxy.port}/kiosk_test"
        proxy.cut()        # every connection closed (reset), new ones refused
        proxy.restore()    # listening and forwarding again, on the same port
        proxy.blackhole()  # connections accepted and kept, every byte swallowed both ways
        proxy.restore()    # connections that lived through the blackhole are reset

Only the proxy's own sockets are touched, so tests that use it never disturb other users of
the server (unlike stopping it). One thread runs the proxy: a selector loop over the listening
socket and both ends of every connection; the methods above hand it a command and wait until
it is done, so a test knows the network is in the new state when the call returns.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from typing import Literal

Mode = Literal["forward", "cut", "blackhole"]
CHUNK = 65536


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (SO_LINGER 0), as a dropped network path looks."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class NetProxy:
    """Forwards 127.0.0.1:``port`` to ``target_host``:``target_port`` until told otherwise."""

    def __init__(self, target_host: str, target_port: int, *, listen_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.port = 0
        self.mode: Mode = "forward"
        self._selector = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._peers: dict[socket.socket, socket.socket | None] = {}  # end -> other end
        self._clients: set[socket.socket] = set()  # the ends facing the proxy's users
        self._tainted: set[socket.socket] = set()  # ends that lived through a blackhole
        self._commands: queue.Queue[tuple[Callable[[], None], threading.Event]] = queue.Queue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._running = False

    # --- the test's side ------------------------------------------------------------------

    def start(self) -> NetProxy:
        self._running = True
        self._listen()
        self._selector.register(self._wake_r, selectors.EVENT_READ, self._drain_wake)
        self._thread = threading.Thread(target=self._loop, name="netproxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close everything and end the proxy's thread."""
        if self._thread is None:
            return
        self._do(self._stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def cut(self) -> None:
        """Reset every connection and refuse new ones (nothing listens on the port)."""
        self._do(self._cut)

    def blackhole(self) -> None:
        """Accept new connections and keep the open ones, but deliver nothing either way."""
        self._do(self._blackhole)

    def restore(self) -> None:
        """Forward again: listen again after a cut; after a blackhole, reset the connections
        whose bytes were swallowed (their conversation cannot go on) and forward new ones."""
        self._do(self._restore)

    @property
    def connection_count(self) -> int:
        """Client connections open through the proxy now."""
        box: list[int] = []
        self._do(lambda: box.append(len(self._clients)))
        return box[0]

    def __enter__(self) -> NetProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _do(self, command: Callable[[], None]) -> None:
        if self._thread is None:
            raise RuntimeError("the proxy is not running")
        done = threading.Event()
        self._commands.put((command, done))
        self._wake_w.send(b"x")
        if not done.wait(timeout=10):
            raise RuntimeError("the proxy did not answer")

    # --- the proxy's thread -----------------------------------------------------------------

    def _loop(self) -> None:
        while self._running:
            for key, _mask in self._selector.select(timeout=1.0):
                key.data(key.fileobj)

    def _drain_wake(self, sock: socket.socket) -> None:
        sock.recv(CHUNK)
        while True:
            try:
                command, done = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command()
            finally:
                done.set()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, self._accept)

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream: socket.socket | None = None
        if self.mode == "forward":
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                return
            upstream.settimeout(5)
            self._peers[upstream] = client
            self._selector.register(upstream, selectors.EVENT_READ, self._relay)
        else:
            self._tainted.add(client)
        client.settimeout(5)
        self._clients.add(client)
        self._peers[client] = upstream
        self._selector.register(client, selectors.EVENT_READ, self._relay)

    def _relay(self, end: socket.socket) -> None:
        if end not in self._peers:
            return  # closed earlier in this round
        try:
            data = end.recv(CHUNK)
        except OSError:
            data = b""
        if not data:
            self._close_pair(end, reset=False)
            return
        if self.mode == "blackhole":
            self._tainted.add(end)
            return
        other = self._peers[end]
        if other is None:
            return
        try:
            other.sendall(data)
        except OSError:
            self._close_pair(end, reset=True)

    def _close_pair(self, end: socket.socket, *, reset: bool) -> None:
        other = self._peers.pop(end, None)
        for sock in (end, other):
            if sock is None:
                continue
            self._peers.pop(sock, None)
            self._clients.discard(sock)
            self._tainted.discard(sock)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)
            if reset:
                _reset(sock)
            else:
                sock.close()

    def _close_all(self) -> None:
        for end in list(self._peers):
            self._close_pair(end, reset=True)

    def _stop_listening(self) -> None:
        if self._listener is not None:
            self._selector.unregister(self._listener)
            self._listener.close()
            self._listener = None

    def _cut(self) -> None:
        self.mode = "cut"
        self._stop_listening()
        self._close_all()

    def _blackhole(self) -> None:
        if self._listener is None:
            self._listen()
        self.mode = "blackhole"
        self._tainted.update(self._peers)

    def _restore(self) -> None:
        for end in list(self._tainted):
            self._close_pair(end, reset=True)
        self._tainted.clear()
        if self._listener is None:
            self._listen()
        self.mode = "forward"

    def _stop(self) -> None:
        self._stop_listening()
        self._close_all()
        self._running = False
