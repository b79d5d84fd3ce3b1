"""The connection: retries keep their Idempotency-Key, a seq gap reloads the snapshot."""
from __future__ import annotations

import socket
import threading

from hall_client import operations as ops
from hall_server.contract import EventOut

WAIT_MS = 8000


class LosingProxy:
    """A loopback TCP proxy that forwards the first ``POST /api/v1/tickets`` to the server
    and then loses the answer (closes the client side): the ticket exists, the kiosk never
    heard back, exactly the case a retry with the same key must survive."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lost = 0
        self.seen_keys: list[str] = []
        self._armed = True
        self._threads: list[threading.Thread] = []
        self._stop = False
        self._socks: list[socket.socket] = []
        self._spawn(self._accept)

    def _spawn(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        self._threads.append(t)

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._spawn(self._handle, conn)

    @staticmethod
    def _shut(*socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _handle(self, conn: socket.socket) -> None:
        up = socket.create_connection(("127.0.0.1", self.upstream), timeout=10)
        self._socks += [conn, up]
        lose = threading.Event()  # the request now on this connection is the one to lose

        def client_to_server() -> None:
            try:
                while chunk := conn.recv(65536):
                    if chunk.startswith(b"POST /api/v1/tickets"):
                        for line in chunk.split(b"\r\n"):
                            if line.lower().startswith(b"idempotency-key:"):
                                self.seen_keys.append(line.split(b":", 1)[1].strip().decode())
                        if self._armed:
                            self._armed = False
                            lose.set()
                    up.sendall(chunk)
            except OSError:
                pass
            finally:
                self._shut(conn, up)

        self._spawn(client_to_server)
        try:
            while chunk := up.recv(65536):
                if lose.is_set():  # the server answered (the ticket exists): drop it on the floor
                    self.lost += 1
                    break
                conn.sendall(chunk)
        except OSError:
            pass
        finally:
            self._shut(conn, up)

    def close(self) -> None:
        self._stop = True
        for s in [self.sock, *self._socks]:
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes threads blocked in accept/recv
            except OSError:
                pass
        self.sock.close()
        for t in self._threads:
            t.join(5)


def test_retried_ticket_call_reuses_its_idempotency_key(qtbot, client_factory, live_server, take_ticket):
    proxy = LosingProxy(live_server.port)
    try:
        b = client_factory("kiosk", wait_online=False)
        b.ctx.api.config.server_url = f"http://127.0.0.1:{proxy.port}"
        got: list[object] = []
        reply = ops.take_ticket(api=b.ctx.api, bridge=b.ctx.bridge, category="A", on_ok=got.append)
        qtbot.wait_until(lambda: reply.done, timeout=WAIT_MS)
        assert proxy.lost == 1 and len(proxy.seen_keys) == 2 and proxy.seen_keys[0] == proxy.seen_keys[1]
        assert got and got[0].number == "A001"  # the first answer, replayed
        assert take_ticket("A")["number"] == "A002"  # nothing was created twice
    finally:
        proxy.close()


def test_a_missing_event_seq_reloads_the_snapshot(qtbot, display_client, take_ticket):
    store = display_client.ctx.store
    take_ticket("A")
    qtbot.wait_until(lambda: store.state.categories["A"].waiting == 1, timeout=WAIT_MS)
    last = store.state.last_seq
    bogus = EventOut(seq=last + 3, at=store.state.recent_calls[0].at if store.state.recent_calls else
                     "2026-11-24T01:00:00Z", actor="x", type="ticket.issued", data={"category": "A"})
    with qtbot.wait_signal(store.resynced, timeout=WAIT_MS) as got:
        store.apply_events([bogus])
    assert store.gaps == 1 and got.args[0] == last
    assert store.state.categories["A"].waiting == 1  # the server's truth, not the bogus event
    take_ticket("A")  # and the stream goes on after the snapshot
    qtbot.wait_until(lambda: store.state.categories["A"].waiting == 2, timeout=WAIT_MS)


def test_stream_reconnects_after_a_drop_and_misses_nothing(qtbot, display_client, take_ticket):
    api, store = display_client.ctx.api, display_client.ctx.store
    with qtbot.wait_signal(api.online_changed, timeout=WAIT_MS):
        api.drop_stream()
    take_ticket("C")  # happens while the client is away
    qtbot.wait_until(lambda: api.online and store.state.categories["C"].waiting == 1, timeout=WAIT_MS)
    assert store.gaps == 0
