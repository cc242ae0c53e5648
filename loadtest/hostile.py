"""Clients that misbehave, to measure whether they slow the other students down.

- :func:`unclean_disconnects`: a tab that asks for a page and vanishes mid-run (the TCP
  connection reset, no websocket close frame): a laptop lid shut, a phone in a tunnel.
- :func:`burst`: many connections at once (a class opening the link in the same seconds), each
  a new session that runs the lecturer's page, as a browser's would.
- :func:`slow_consumer`: a websocket that asks for pages and never reads the answers, with a
  small receive buffer, so the server's writes to it back up.

Each is bounded in count and time and talks to loopback only (``protocol.check_loopback``).
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
import time
import urllib.parse

from loadtest.protocol import STREAM, Session, check_loopback
from streamlit.proto.BackMsg_pb2 import BackMsg


def _rerun(page: str, query: str) -> bytes:
    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = query
    return message.SerializeToString()


async def unclean_disconnects(url: str, count: int = 20, every_s: float = 1.0, page: str = "",
                              query: str = "") -> int:
    """``count`` sessions, one every ``every_s``: each sends a page request and then resets its
    TCP connection (SO_LINGER 0) before the answer. Returns how many were aborted."""
    aborted = 0
    for _ in range(count):
        s = Session(url)
        try:
            await s.connect(page, query)
            await s.websocket.send(_rerun(page, query))
            sock = s.websocket.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.websocket.transport.abort()  # a RST, no close frame
            aborted += 1
        except OSError:
            pass
        finally:
            s._ws = None  # gone: nothing to close
        await asyncio.sleep(every_s)
    return aborted


async def burst(url: str, count: int = 200, within_s: float = 5.0, page: str = "",
                query: str = "", hold_s: float = 0.0) -> dict:
    """``count`` new sessions opened evenly over ``within_s``; each runs ``page`` to its end
    (bounded by protocol.RUN_TIMEOUT), stays ``hold_s`` and closes. Returns the count that
    finished, failed, and their open times."""
    times: list[float] = []
    failed: list[str] = []

    async def one(delay: float):
        await asyncio.sleep(delay)
        try:
            async with Session(url) as s:
                run = await s.open(page, query)
                times.append(run.seconds)
                await asyncio.sleep(hold_s)
        except Exception as err:  # noqa: BLE001 - each failure is a figure
            failed.append(f"{type(err).__name__}: {err}")

    await asyncio.gather(*(one(i * within_s / count) for i in range(count)))
    return {"opened": len(times), "failed": len(failed), "failures": failed[:5],
            "open_s": sorted(times)}


async def slow_consumer(url: str, hold_s: float = 30.0, requests: int = 3, page: str = "methods",
                        query: str = "", rcvbuf: int = 4096) -> dict:
    """One websocket with a ``rcvbuf``-byte receive buffer that sends ``requests`` page runs
    spread over ``hold_s`` (Methods is the largest page, ~59 kB; few, so that what it costs is
    the answers piling up unread rather than the runs) and never reads; then it resets.
    Returns how many bytes it sent."""
    check_loopback(url)
    parts = urllib.parse.urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    sent = 0
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (parts.hostname, parts.port or 80)), 10)
        key = base64.b64encode(os.urandom(16)).decode()
        handshake = (f"GET {STREAM} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n")
        await loop.sock_sendall(sock, handshake.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:  # the 101 answer only; nothing after it is ever read
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 1), 10)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            reply += chunk
        if not reply.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(reply.split(b"\r\n", 1)[0].decode())
        frame = _masked_frame(_rerun(page, query))
        end = time.monotonic() + hold_s
        for _ in range(requests):
            try:
                await asyncio.wait_for(loop.sock_sendall(sock, frame), max(0.1, end - time.monotonic()))
            except TimeoutError:
                break  # our own send buffer is full too: the server stopped reading us
            sent += len(frame)
            await asyncio.sleep(hold_s / requests)
        await asyncio.sleep(max(0.0, end - time.monotonic()))
    finally:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    return {"sent_bytes": sent, "held_s": hold_s}


def _masked_frame(payload: bytes) -> bytes:
    """One binary websocket frame from a client (RFC 6455: clients mask)."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x82])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
