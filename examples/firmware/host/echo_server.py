"""A WebSocket echo server on the host, for the firmware's client.

Listens on 127.0.0.1 on a port the OS picks, writes the port to
--port-file, echoes every message of one connection (offering the
subprotocol "echo"), then exits. It prints what the connection carried and
how it closed; the exit status is 0 only for a close with code 1000.

With --corrupt, the echo of the first binary message of 4096 bytes has its
last byte changed: the firmware must notice.
"""

import argparse
import asyncio
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


async def run(args):
    done = asyncio.get_running_loop().create_future()

    async def echo(ws):
        request = ws.request
        print(f"request: path={request.path} host={request.headers.get('Host')} "
              f"subprotocol={ws.subprotocol}", flush=True)
        count = 0
        corrupted = False
        try:
            async for message in ws:
                count += 1
                if args.corrupt and not corrupted and isinstance(message, bytes) and len(message) == 4096:
                    message = message[:-1] + bytes([message[-1] ^ 0x01])
                    corrupted = True
                    print("corrupting the echo of the 4096-byte binary message", flush=True)
                await ws.send(message)
        except ConnectionClosed as e:
            print(f"connection dropped: {e}", flush=True)
        print(f"closed: code={ws.close_code} reason={ws.close_reason!r} messages={count}", flush=True)
        if not done.done():
            done.set_result(ws.close_code)

    async with serve(echo, "127.0.0.1", 0, subprotocols=["echo"], max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        with open(args.port_file, "w") as f:
            f.write(f"{port}\n")
        print(f"listening on 127.0.0.1:{port}", flush=True)
        try:
            code = await asyncio.wait_for(done, args.timeout)
        except TimeoutError:
            print(f"no connection finished within {args.timeout} s", flush=True)
            return 1
    return 0 if code == 1000 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--corrupt", action="store_true")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
