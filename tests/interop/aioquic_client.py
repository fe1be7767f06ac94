"""aioquic (an independent QUIC and HTTP/3 implementation) as a client of
echo_server's HTTP/3: WebSockets over HTTP/3 (RFC 9220) by extended
CONNECT, the frames written and parsed by h3_ws.py.

Usage: python aioquic_client.py PORT CA.pem

Prints `ok CHECK` for each check passed and exits 0; any failure raises.
"""

import asyncio
import ssl
import sys

from aioquic.asyncio.client import connect
from aioquic.h3.connection import H3_ALPN
from aioquic.quic.configuration import QuicConfiguration

from h3_ws import BINARY, CLOSE, PING, PONG, TEXT, H3Protocol

SIZES = [0, 125, 126, 64 * 1024, 1024 * 1024]
STEP = 30


def ok(check, detail=""):
    print(f"ok {check} {detail}".rstrip(), flush=True)


def text_of(size):
    return ("é" * size)[: size // 2].encode() + b"a" * (size - len(("é" * size)[: size // 2].encode()))


def binary_of(size):
    return bytes(i % 251 for i in range(size))


class WebSocket:
    def __init__(self, client, stream_id, headers):
        self.client, self.id, self.headers = client, stream_id, headers
        self.stream = client.stream(stream_id)

    def send(self, opcode, payload):
        self.client.send_frame(self.id, opcode, payload, mask=True)

    async def recv(self):
        """The next message, control frames included: (opcode, payload)."""
        opcode, parts = None, []
        while True:
            f = await asyncio.wait_for(self.stream.frames.get(), STEP)
            if f is None:
                raise ConnectionError(f"stream ended: {self.stream.ended.result()}")
            fin, op, payload = f
            if op >= 0x8:
                return op, payload
            opcode = op if opcode is None else opcode
            parts.append(payload)
            if fin:
                return opcode, b"".join(parts)


async def request(client, path, extra=(), omit=()):
    stream_id = client._quic.get_next_available_stream_id()
    fields = [
        (b":method", b"CONNECT"),
        (b":protocol", b"websocket"),
        (b":scheme", b"https"),
        (b":path", path.encode()),
        (b":authority", b"localhost"),
        (b"sec-websocket-version", b"13"),
        (b"sec-websocket-protocol", b"superchat, chat"),
    ]
    fields = [f for f in fields if f[0] not in omit]
    fields = [f for f in fields if f[0] not in {k for k, _ in extra}] + list(extra)
    client.h3.send_headers(stream_id, fields)
    client.transmit()
    headers = await asyncio.wait_for(client.stream(stream_id).headers, STEP)
    return stream_id, headers


async def open_ws(client, path="/"):
    stream_id, headers = await request(client, path)
    assert headers[b":status"] == b"200", headers
    return WebSocket(client, stream_id, headers)


async def echo(ws, opcode, payload):
    ws.send(opcode, payload)
    got = await ws.recv()
    assert got == (opcode, payload), (opcode, len(payload), got[0], len(got[1]))


async def main(port, ca):
    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN)
    config.load_verify_locations(ca)
    config.verify_mode = ssl.CERT_REQUIRED
    config.server_name = "localhost"
    async with connect("127.0.0.1", port, configuration=config, create_protocol=H3Protocol) as client:
        for _ in range(STEP * 100):
            settings = client.h3.received_settings
            if settings is not None:
                break
            await asyncio.sleep(0.01)
        assert settings and settings.get(0x8) == 1, settings
        ok("enable-connect-protocol")

        ws = await open_ws(client)
        assert ws.headers.get(b"sec-websocket-protocol") == b"chat", ws.headers
        ok("subprotocol")
        for size in SIZES:
            await echo(ws, TEXT, text_of(size))
            ok(f"text-{size}")
            await echo(ws, BINARY, binary_of(size))
            ok(f"binary-{size}")
        ws.send(PING, b"hello")
        assert await ws.recv() == (PONG, b"hello")
        ok("ping-pong")

        # Two at once on the same connection, interleaved.
        a, b = await open_ws(client), await open_ws(client)
        a.send(TEXT, b"to a")
        b.send(BINARY, b"to b")
        assert await b.recv() == (BINARY, b"to b")
        assert await a.recv() == (TEXT, b"to a")
        ok("two-at-once")

        # Refusals, each with its status; the connection goes on.
        _, h = await request(client, "/", extra=[(b"sec-websocket-version", b"12")])
        assert h[b":status"] == b"426" and h.get(b"sec-websocket-version") == b"13", h
        ok("refused-version-12")
        _, h = await request(client, "/", omit=(b":path", b":authority"))
        assert h[b":status"] == b"400", h
        ok("refused-missing-fields")
        _, h = await request(client, "/elsewhere")
        assert h[b":status"] == b"404", h
        ok("refused-unknown-path")

        # Half a frame, then the stream reset: another stream goes on.
        c = await open_ws(client)
        client.h3.send_data(c.id, b"\x82\xfe\x01\x00" + b"\x00" * 20, end_stream=False)
        client.transmit()
        client._quic.reset_stream(c.id, 0x10C)
        client.transmit()
        d = await open_ws(client)
        await echo(d, TEXT, b"after a reset")
        ok("reset-mid-message")

        for w in (ws, a, b, d):
            w.send(CLOSE, (1000).to_bytes(2, "big"))
            op, payload = await w.recv()
            assert op == CLOSE and payload[:2] == (1000).to_bytes(2, "big"), (op, payload)
            assert await asyncio.wait_for(w.stream.ended, STEP) == "fin"
        ok("close-1000")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
