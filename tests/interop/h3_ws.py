"""WebSocket frames (RFC 6455 section 5) and an aioquic HTTP/3 connection
carrying them on request streams (RFC 9220), shared by aioquic_client.py
and aioquic_server.py. aioquic does QUIC, HTTP/3 and QPACK; the frames are
written and parsed here, masked from the client, never compressed (no
permessage-deflate is offered or accepted).
"""

import asyncio
import os
import struct

from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.events import ConnectionTerminated, StreamReset

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode, payload, mask):
    """One final frame, masked with a random key when `mask`."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if n < 4096 else _mask(payload, key)
    return head + key + body


def _mask(payload, key):
    # A whole-int XOR: fast enough for megabytes.
    n = len(payload)
    k = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ k).to_bytes(n, "big")


class Parser:
    """Frames out of a byte stream: (fin, opcode, payload), unmasked."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        self.buffer += data
        frames = []
        while True:
            b = self.buffer
            if len(b) < 2:
                return frames
            n, at = b[1] & 0x7F, 2
            if n == 126:
                if len(b) < 4:
                    return frames
                n, at = struct.unpack("!H", b[2:4])[0], 4
            elif n == 127:
                if len(b) < 10:
                    return frames
                n, at = struct.unpack("!Q", b[2:10])[0], 10
            key = None
            if b[1] & 0x80:
                key, at = bytes(b[at : at + 4]), at + 4
            if len(b) < at + n:
                return frames
            payload = bytes(b[at : at + n])
            if key:
                payload = _mask(payload, key)
            frames.append((bool(b[0] & 0x80), b[0] & 0x0F, payload))
            del self.buffer[: at + n]


class Stream:
    """One request stream: its response or request headers, then its
    WebSocket frames, or how it ended."""

    def __init__(self):
        self.headers = asyncio.get_running_loop().create_future()
        self.frames = asyncio.Queue()
        self.parser = Parser()
        self.ended = asyncio.get_running_loop().create_future()

    def end(self, how):
        if not self.ended.done():
            self.ended.set_result(how)
        self.frames.put_nowait(None)


class H3Protocol(QuicConnectionProtocol):
    """An HTTP/3 connection whose request streams carry WebSockets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.streams = {}
        self.on_request = None
        self.terminated = asyncio.get_running_loop().create_future()

    def stream(self, stream_id):
        if stream_id not in self.streams:
            self.streams[stream_id] = Stream()
        return self.streams[stream_id]

    def quic_event_received(self, event):
        if isinstance(event, StreamReset):
            self.stream(event.stream_id).end(f"reset {event.error_code:#x}")
        if isinstance(event, ConnectionTerminated) and not self.terminated.done():
            self.terminated.set_result(event.error_code)
            for s in self.streams.values():
                s.end("terminated")
        for h3_event in self.h3.handle_event(event):
            s = self.stream(h3_event.stream_id)
            if isinstance(h3_event, HeadersReceived):
                if not s.headers.done():
                    s.headers.set_result(dict(h3_event.headers))
                    if self.on_request:
                        self.on_request(h3_event.stream_id, s)
            elif isinstance(h3_event, DataReceived):
                for f in s.parser.feed(h3_event.data):
                    s.frames.put_nowait(f)
            if getattr(h3_event, "stream_ended", False):
                s.end("fin")

    def send_frame(self, stream_id, opcode, payload, mask, end=False):
        self.h3.send_data(stream_id, frame(opcode, payload, mask), end_stream=end)
        self.transmit()
