"""Hypercorn (an independent RFC 8441 server: WebSockets over HTTP/2) as
a peer for hybi's client: an ASGI echo application over TLS with ALPN h2.

Usage: python hypercorn_run.py PORT CERT.pem KEY.pem

Prints `port N` once it accepts connections, then one line per WebSocket
(`websocket HTTP/<version> <path>`) and `closed <code>` when one closes.
A WebSocket at `/refuse` is refused (hypercorn answers 403); the others
are accepted with the subprotocol `chat` when offered, and every message
is echoed. Exits on SIGTERM.
"""

import asyncio
import signal
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "websocket":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    await receive()  # websocket.connect
    print(f"websocket HTTP/{scope['http_version']} {scope['path']}", flush=True)
    if scope["path"] == "/refuse":
        await send({"type": "websocket.close"})
        return
    accept = {"type": "websocket.accept"}
    if "chat" in scope.get("subprotocols", []):
        accept["subprotocol"] = "chat"
    await send(accept)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            print(f"closed {message.get('code')}", flush=True)
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})


async def main(port, cert, key):
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile = cert
    config.keyfile = key
    config.alpn_protocols = ["h2"]
    config.websocket_max_message_size = 64 * 1024 * 1024
    config.h2_max_inbound_frame_size = 64 * 1024
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    print(f"port {port}", flush=True)
    await server


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
