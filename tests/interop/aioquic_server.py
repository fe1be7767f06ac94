"""aioquic (an independent QUIC and HTTP/3 implementation) as a server of
WebSockets over HTTP/3 (RFC 9220) for hybi's client: extended CONNECT
accepted on request streams, every message echoed, the frames written and
parsed by h3_ws.py. aioquic's SETTINGS enable extended CONNECT.

Usage: python aioquic_server.py CERT.pem KEY.pem

Prints `port N` once it listens on UDP 127.0.0.1, then `websocket PATH`
per WebSocket and `closed CODE` when one closes. A WebSocket at `/refuse`
is refused with 403; the others are accepted with the subprotocol `chat`
when offered. Exits on SIGTERM.
"""

import asyncio
import signal
import sys

from aioquic.asyncio import serve
from aioquic.h3.connection import H3_ALPN
from aioquic.quic.configuration import QuicConfiguration

from h3_ws import BINARY, CLOSE, PING, PONG, TEXT, H3Protocol


class Server(H3Protocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_request = self.request

    def request(self, stream_id, stream):
        asyncio.ensure_future(self.websocket(stream_id, stream))

    async def websocket(self, stream_id, stream):
        headers = stream.headers.result()
        path = headers.get(b":path", b"").decode()
        if headers.get(b":method") != b"CONNECT" or headers.get(b":protocol") != b"websocket":
            self.h3.send_headers(stream_id, [(b":status", b"400")], end_stream=True)
            self.transmit()
            return
        print(f"websocket {path}", flush=True)
        if path == "/refuse":
            self.h3.send_headers(stream_id, [(b":status", b"403")], end_stream=True)
            self.transmit()
            return
        response = [(b":status", b"200")]
        offered = headers.get(b"sec-websocket-protocol", b"").split(b",")
        if b"chat" in [p.strip() for p in offered]:
            response.append((b"sec-websocket-protocol", b"chat"))
        self.h3.send_headers(stream_id, response)
        self.transmit()
        opcode, parts = None, []
        while True:
            f = await stream.frames.get()
            if f is None:
                print(f"ended {stream.ended.result()}", flush=True)
                return
            fin, op, payload = f
            if op == PING:
                self.send_frame(stream_id, PONG, payload, mask=False)
                continue
            if op == CLOSE:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.send_frame(stream_id, CLOSE, payload[:2], mask=False, end=True)
                print(f"closed {code}", flush=True)
                return
            if op >= 0x8:
                continue
            opcode = op if opcode is None else opcode
            parts.append(payload)
            if fin:
                self.send_frame(stream_id, opcode, b"".join(parts), mask=False)
                opcode, parts = None, []


async def main(cert, key):
    config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN)
    config.load_cert_chain(cert, key)
    config.max_data = 64 * 1024 * 1024
    config.max_stream_data = 16 * 1024 * 1024
    server = await serve("127.0.0.1", 0, configuration=config, create_protocol=Server)
    port = server._transport.get_extra_info("sockname")[1]
    print(f"port {port}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
