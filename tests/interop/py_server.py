"""Python `websockets` as the server for hybi's client.

Usage: python py_server.py

Listens on 127.0.0.1 on a port the OS picks and prints `port N`. Echoes
every message with its type and speaks the subprotocol `chat` only. Two
text messages are commands:

- `ping-me`: pings the client, waits for its pong, then sends `pong-received`;
- `close-4000`: closes with code 4000 and reason `bye`.

When a connection ends it prints one line:
`closed received=CODE reason=REASON messages=N subprotocol=P`, where CODE
is the code of the client's close frame.
Stops by itself after `--lifetime` seconds (default 120). With
`--tls CERT KEY` it serves wss:// with that PEM certificate chain and key.
"""

import argparse
import asyncio
import ssl

from websockets.asyncio.server import serve

TIMEOUT = 20


async def handler(ws):
    messages = 0
    try:
        async for message in ws:
            if message == "ping-me":
                pong = await ws.ping(b"server ping")
                await asyncio.wait_for(pong, TIMEOUT)
                await ws.send("pong-received")
            elif message == "close-4000":
                await asyncio.wait_for(ws.close(4000, "bye"), TIMEOUT)
                break
            else:
                messages += 1
                await ws.send(message)
    finally:
        received = ws.protocol.close_rcvd
        print(
            f"closed received={received.code if received else None} "
            f"reason={received.reason if received else ''} "
            f"messages={messages} subprotocol={ws.subprotocol}",
            flush=True,
        )


async def main(lifetime, tls):
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=["chat"],
        max_size=None,
        ping_interval=None,
        close_timeout=TIMEOUT,
        ssl=context,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.sleep(lifetime)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifetime", type=float, default=120)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    asyncio.run(main(args.lifetime, args.tls))
