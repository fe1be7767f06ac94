"""Python `websockets` as the client of hybi's echo_server example.

Usage: python py_client.py ws://127.0.0.1:PORT/
       python py_client.py wss://localhost:PORT/ CA.pem   (TLS, trusting CA.pem)

Prints one `ok <check>` line per check that passed and exits 0 only if all
of them did; any failure raises and exits non-zero. Every wait is bounded.
"""

import asyncio
import os
import ssl
import sys

from websockets.asyncio.client import connect

TIMEOUT = 20  # seconds, for any one exchange

SIZES = [0, 125, 126, 64 * 1024, 1024 * 1024]


def text_of(size):
    """ASCII text of `size` bytes."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return (alphabet * (size // len(alphabet) + 1))[:size]


def binary_of(size):
    """`size` bytes covering every byte value."""
    return bytes((i * 7 + 3) % 256 for i in range(size))


def json_of(size):
    """JSON-like ASCII text of `size` bytes: records that differ in their
    numbers, which compress to a fraction of their size."""
    records = []
    length, i = 1, 0
    while length < size:
        active = "true" if i % 3 else "false"
        record = (
            f'{{"id":{i},"name":"user {i}","score":{i * 7919 % 100003},'
            f'"active":{active},"tags":["alpha","beta"]}},'
        )
        records.append(record)
        length += len(record)
        i += 1
    return ("[" + "".join(records))[:size]


def random_of(size):
    """`size` random bytes, which do not compress."""
    return os.urandom(size)


# 2-, 3- and 4-byte UTF-8 characters, alone and mixed; the long one is
# larger than the server's 256 KiB read buffer, so its chunks split characters.
MULTIBYTE = {
    "2-byte": "\u00e9",
    "3-byte": "\u20ac",
    "4-byte": "\U0001f600",
    "mixed": "a\u00e9\u20ac\U0001f600",
    "mixed-700k": "a\u00e9\u20ac\U0001f600" * 70000,
}


def ok(check, detail=""):
    print(f"ok {check} {detail}".rstrip(), flush=True)


async def echo(ws, message, check):
    await asyncio.wait_for(ws.send(message), TIMEOUT)
    reply = await asyncio.wait_for(ws.recv(), TIMEOUT)
    assert type(reply) is type(message), f"{check}: {type(reply)} back for {type(message)}"
    assert reply == message, f"{check}: echo differs (len {len(reply)} vs {len(message)})"
    ok(check)


async def main(url, ca=None):
    tls = None
    if url.startswith("wss:"):
        # Hostname checked, the test's CA the only root.
        tls = ssl.create_default_context(cafile=ca)
    async with connect(
        url,
        ssl=tls,
        subprotocols=["superchat", "chat"],
        max_size=None,
        ping_interval=None,
        open_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
    ) as ws:
        assert ws.subprotocol == "chat", f"subprotocol {ws.subprotocol!r}"
        ok("subprotocol", ws.subprotocol)
        # What the server agreed to: permessage-deflate, which this client
        # offers by default, or nothing.
        ok("extensions", ws.response.headers.get("Sec-WebSocket-Extensions", ""))

        # First, so that they are the first messages each way on the wire:
        # compressible text and random bytes.
        for size in SIZES:
            await echo(ws, json_of(size), f"json-{size}")
            await echo(ws, random_of(size), f"random-{size}")
        for size in SIZES:
            await echo(ws, text_of(size), f"text-{size}")
            await echo(ws, binary_of(size), f"binary-{size}")
        for name, text in MULTIBYTE.items():
            await echo(ws, text, f"utf8-{name}")

        # Pipelined: all sent before any echo is read.
        sent = []
        for i in range(100):
            message = f"pipelined {i} \u20ac" if i % 2 == 0 else binary_of(i * 13)
            sent.append(message)
            await asyncio.wait_for(ws.send(message), TIMEOUT)
        for i, message in enumerate(sent):
            reply = await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert reply == message and type(reply) is type(message), f"pipelined {i}"
        ok("pipelined-100")

        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, TIMEOUT)
        ok("ping-pong")

        await asyncio.wait_for(ws.close(1000, "done"), TIMEOUT)
        sent_close, received = ws.protocol.close_sent, ws.protocol.close_rcvd
        assert sent_close is not None and sent_close.code == 1000, f"sent {sent_close}"
        assert received is not None, "no close frame from the server"
        assert received.code == 1000, f"server closed with {received.code}"
        ok("close-1000", f"received {received.code}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
