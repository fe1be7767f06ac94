"""Drives the firmware's WebSocket echo server from the host.

Connects to the UART that QEMU bridges to a TCP port, sends text and binary
messages (whole, fragmented, and several at once), a ping, and closes with
1000; every echo must match byte for byte. Exits 0 only if all of it did.
The last line printed is `messages=N`, the number of messages echoed.
"""

import argparse
import asyncio
import os
import sys
import time

from websockets.asyncio.client import connect

UNICODE = "ünïcödé ✓ 😀 "


def cases():
    """(description, what to send, what the echo must be)."""
    big_binary = os.urandom(4096)
    out = [
        ("text", "hello", "hello"),
        ("text, 1 to 4 byte characters", UNICODE, UNICODE),
        ("empty text", "", ""),
        ("empty binary", b"", b""),
        ("binary, 1 byte", b"\x00", b"\x00"),
        ("binary, 125 bytes (7-bit length)", os.urandom(125), None),
        ("binary, 126 bytes (16-bit length)", os.urandom(126), None),
        ("binary, 4096 bytes", big_binary, big_binary),
        ("text, 4095 bytes", "€" * 1365, "€" * 1365),
    ]
    return [(d, m, m if e is None else e) for d, m, e in out]


async def exchange(ws, description, message, expected):
    started = time.monotonic()
    await ws.send(message)
    echo = await asyncio.wait_for(ws.recv(), 30)
    check(description, echo, expected)
    size = len(expected.encode() if isinstance(expected, str) else expected)
    print(f"ok: {description}: {size} bytes echoed in {time.monotonic() - started:.2f} s")


def check(description, echo, expected):
    if type(echo) is not type(expected):
        raise AssertionError(f"{description}: echo is {type(echo).__name__}, sent {type(expected).__name__}")
    if echo != expected:
        a = echo.encode() if isinstance(echo, str) else echo
        b = expected.encode() if isinstance(expected, str) else expected
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        raise AssertionError(f"{description}: echo differs at byte {first} ({len(a)} vs {len(b)} bytes)")


async def run(port, timeout):
    uri = f"ws://127.0.0.1:{port}/firmware-test"
    deadline = time.monotonic() + timeout
    # QEMU may still be starting: retry refused connections until the deadline.
    while True:
        try:
            ws = await connect(uri, open_timeout=30, max_size=None, close_timeout=10)
            break
        except OSError as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"cannot connect to {uri}: {e}") from e
            await asyncio.sleep(0.1)
    print(f"connected to {uri}, subprotocol {ws.subprotocol}, "
          f"extensions {[e.name for e in ws.protocol.extensions]}")
    if ws.subprotocol is not None or ws.protocol.extensions:
        raise AssertionError("the firmware chose a subprotocol or an extension it does not have")
    count = 0

    for description, message, expected in cases():
        await exchange(ws, description, message, expected)
        count += 1

    # Fragmented messages: the firmware echoes them chunk by chunk.
    text_parts = ["frag", "ment", "ed ✓", "".join(chr(0x1F600 + i) for i in range(16))]
    await exchange(ws, "text in 4 fragments", text_parts, "".join(text_parts))
    binary_parts = [os.urandom(1000), os.urandom(1), os.urandom(1500)]
    await exchange(ws, "binary in 3 fragments", binary_parts, b"".join(binary_parts))
    count += 2

    # Several messages in flight at once, echoed in order.
    burst = [os.urandom(300), "second", os.urandom(50), "fourth ✓"]
    for message in burst:
        await ws.send(message)
    for i, expected in enumerate(burst):
        check(f"burst message {i}", await asyncio.wait_for(ws.recv(), 30), expected)
    print(f"ok: {len(burst)} messages sent back to back, echoed in order")
    count += len(burst)

    pong = await ws.ping(b"are you there?")
    latency = await asyncio.wait_for(pong, 10)
    print(f"ok: ping answered with its payload in {latency * 1000:.1f} ms")

    await ws.close(1000, "bye")
    if ws.close_code != 1000:
        raise AssertionError(f"the firmware answered the close with {ws.close_code}, not 1000")
    print(f"ok: closed, the firmware answered with {ws.close_code}")
    print(f"messages={count}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--timeout", type=float, default=20, help="seconds to keep trying to connect")
    args = parser.parse_args()
    try:
        asyncio.run(run(args.port, args.timeout))
    except Exception as e:  # noqa: BLE001 - any failure fails the test
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
