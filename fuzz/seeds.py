#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into corpus/<target>/.

Seeds come from the test fixtures: the RFC 6455 examples (section 5.7 frames,
the section 1.3 handshake) and requests captured from real clients (Chrome,
Firefox, curl, Python websockets, Node); for `inflate`, the RFC 7692 section
7.2.3 examples, a decompression bomb and texts compressed by zlib; for
`http3_fields`, RFC 9204's and RFC 7541's field sections and Huffman strings,
SETTINGS and HTTP/3 frames. Usage: seeds.py [DIR] (default:
corpus next to this script). Existing files are kept; seeds are rewritten.
"""

import os
import struct
import sys
import zlib

CHROME = (b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nConnection: Upgrade\r\nPragma: no-cache\r\n"
          b"Cache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
          b"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\nUpgrade: websocket\r\n"
          b"Origin: http://127.0.0.1:9001\r\nSec-WebSocket-Version: 13\r\n"
          b"Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
FIREFOX = (b"GET /chat?room=1 HTTP/1.1\r\nHost: localhost:9001\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; "
           b"rv:133.0) Gecko/20100101 Firefox/133.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\n"
           b"Accept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Version: 13\r\n"
           b"Origin: http://localhost:9001\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
           b"Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
           b"Connection: keep-alive, Upgrade\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: websocket\r\n"
           b"Sec-Fetch-Site: same-origin\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n")
CURL = (b"GET /ws HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
        b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: SGVsbG8sIHdvcmxkIQ0KMA==\r\n\r\n")
PYTHON = (b"GET / HTTP/1.1\r\nHost: localhost:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: Ny1yZWtUU2tJYzV5Tk1XWg==\r\nSec-WebSocket-Version: 13\r\n"
          b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
          b"User-Agent: Python/3.11 websockets/14.1\r\n\r\n")
NODE = (b"GET / HTTP/1.1\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"
        b"Connection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nHost: 127.0.0.1:8080\r\n\r\n")
# RFC 6455 section 1.3.
RFC_REQUEST = (b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
               b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               b"Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
               b"Sec-WebSocket-Version: 13\r\n\r\n")
OLD_VERSION = RFC_REQUEST.replace(b"Version: 13", b"Version: 8")
PLAIN = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
REQUESTS = [CHROME, FIREFOX, CURL, PYTHON, NODE, RFC_REQUEST, OLD_VERSION, PLAIN]

RFC_RESPONSE = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n")
RESPONSES = [
    RFC_RESPONSE,
    RFC_RESPONSE.replace(b"Sec-WebSocket-Protocol: chat\r\n", b""),
    RFC_RESPONSE.replace(b"Sec-WebSocket-Protocol: chat", b"Sec-WebSocket-Extensions: permessage-deflate"),
    b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
]

KEY = bytes([0x37, 0xFA, 0x21, 0x3D])


def frame(byte0, payload, mask=None):
    """A frame with the minimal length encoding, masked with `mask` if given."""
    n = len(payload)
    bit = 0x80 if mask else 0
    if n <= 125:
        head = bytes([byte0, bit | n])
    elif n <= 0xFFFF:
        head = bytes([byte0, bit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([byte0, bit | 127]) + struct.pack(">Q", n)
    if mask:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def frames(mask):
    """RFC 6455 section 5.7 examples and a few more, as one stream."""
    return [
        frame(0x81, b"Hello", mask),                        # single text
        frame(0x01, b"Hel", mask) + frame(0x80, b"lo", mask),  # fragmented text
        frame(0x89, b"Hello", mask),                        # ping
        frame(0x8A, b"Hello", mask),                        # pong
        frame(0x82, bytes(256), mask),                      # 256 bytes, 16-bit length
        frame(0x02, b"ab", mask) + frame(0x89, b"", mask) + frame(0x80, b"cd", mask),
        frame(0x81, "caf\u00e9 \u2603".encode(), mask),
        frame(0x88, struct.pack(">H", 1000) + b"bye", mask),  # close
    ]


def connection_seed(flags, rx, tx, sizes, head, stream_frames, count=None):
    count = len(sizes) if count is None else count
    config = bytes([flags, rx, tx, 8, 0, count]) + bytes(sizes)
    return config + head + b"".join(stream_frames)


# RFC 7692 section 7.2.3: "Hello" compressed (7.2.3.1), again with the first
# as context (7.2.3.2), in a stored block (7.2.3.3), in a block with BFINAL
# set followed by an empty one (7.2.3.4), in two blocks (7.2.3.5).
HELLO = bytes.fromhex("f248cdc9c90700")
HELLO_AGAIN = bytes.fromhex("f200110000")
HELLO_STORED = bytes.fromhex("000500faff48656c6c6f00")
HELLO_FINAL = bytes.fromhex("f348cdc9c9070000")
HELLO_TWO_BLOCKS = bytes.fromhex("f24805000000ffffcac9c90700")


class Bits:
    """DEFLATE's bit stream: fields least significant bit first, Huffman
    codes most significant bit first (RFC 1951 section 3.1.1)."""

    def __init__(self):
        self.out, self.n = bytearray(), 0

    def push(self, bit):
        if self.n % 8 == 0:
            self.out.append(0)
        self.out[-1] |= bit << (self.n % 8)
        self.n += 1

    def field(self, value, n):
        for i in range(n):
            self.push(value >> i & 1)

    def code(self, code, n):
        for i in reversed(range(n)):
            self.push(code >> i & 1)


def bomb(runs):
    """One `a`, then `runs` matches of 258 bytes at distance 1 (fixed
    Huffman codes), then an empty stored block: `258 * runs + 1` bytes."""
    b = Bits()
    b.field(0, 1)  # not BFINAL
    b.field(1, 2)  # fixed Huffman codes
    b.code(0x30 + ord("a"), 8)
    for _ in range(runs):
        b.code(0xC5, 8)  # length code 285: 258
        b.code(0, 5)  # distance code 0: 1
    b.code(0, 7)  # end of block
    b.field(0, 3)  # an empty stored block, not final, whose last 4 bytes go
    return bytes(b.out)


def deflated(texts, bits):
    """Messages as a permessage-deflate sender with a window of `bits` and
    context takeover compresses them: raw DEFLATE, each flushed with
    Z_SYNC_FLUSH, without the trailing 00 00 ff ff."""
    c = zlib.compressobj(6, zlib.DEFLATED, -bits)
    out = []
    for t in texts:
        data = c.compress(t) + c.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        out.append(data[:-4])
    return out


TEXTS = [
    b"Hello, world! " * 20,
    "Grüße, κόσμε, 世界 — ".encode() * 30,
    b'{"id": 1, "method": "subscribe", "params": ["trades", "book"]}',
    bytes(range(256)) * 3,
]


def inflate_seed(flags, rx, limit, inputs, outputs, messages):
    """Byte 0: bits 0-2 the window (9 + b % 7), bit 3 context kept, bit 4
    read_chunk, bit 5 receive, bits 6-7 text; then the read buffer, the
    limit, the counts of the input and output sizes, the sizes, and each
    message after its big-endian length."""
    head = bytes([flags, rx, limit, len(inputs) | len(outputs) << 4]) + bytes(inputs) + bytes(outputs)
    return head + b"".join(struct.pack(">H", len(m)) + m for m in messages)


def inflate_seeds():
    out = []
    keep, chunks, lent, text = 0x08, 0x10, 0x20, 0x40
    w9, w15 = 0, 6
    rfc = [HELLO, HELLO_AGAIN, HELLO_STORED, HELLO_FINAL, HELLO, HELLO_TWO_BLOCKS]
    out.append(inflate_seed(w9 | keep | text, 0, 1, [], [], rfc))
    out.append(inflate_seed(w15 | keep | text | chunks, 0, 1, [1], [1], rfc))
    out.append(inflate_seed(w9 | text | lent, 8, 4, [3, 0, 5], [2, 7], rfc))
    out.append(inflate_seed(w15 | keep, 64, 255, [], [], [HELLO_FINAL, HELLO_AGAIN]))
    # The bomb: 25 801 bytes against limits of 4 080 and 256, and a small
    # one that fits.
    out.append(inflate_seed(w15 | keep | chunks, 0, 255, [], [200], [bomb(100)]))
    out.append(inflate_seed(w15 | keep, 255, 16, [9, 1], [], [bomb(100), HELLO]))
    out.append(inflate_seed(w9 | keep | text | chunks, 4, 64, [], [], [bomb(3), bomb(3)]))
    # Texts zlib compressed with 9-bit and 15-bit windows, context kept.
    for bits, flags in [(9, w9), (15, w15)]:
        msgs = deflated(TEXTS, bits)
        out.append(inflate_seed(flags | keep | text, 255, 255, [], [], msgs))
        out.append(inflate_seed(flags | keep | text | chunks | lent, 16, 255, [60, 1], [33, 0, 250], msgs))
        # Each compressed on its own.
        single = [deflated([t], bits)[0] for t in TEXTS]
        out.append(inflate_seed(flags | text, 128, 100, [17], [], single))
    return out


def prefix_int(flags, bits, value):
    """An integer with a `bits`-bit prefix, `flags` above it (RFC 7541
    section 5.1)."""
    mask = (1 << bits) - 1
    if value < mask:
        return bytes([flags | value])
    out, value = [flags | mask], value - mask
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + [value])


def qpack_literal(name, value, huffman_value=False):
    """A literal field line: a static name reference (an int) or a plain
    literal name (bytes); the value as it is or Huffman-coded (bytes that
    already are)."""
    if isinstance(name, int):
        head = prefix_int(0x50, 4, name)
    else:
        head = prefix_int(0x20, 3, len(name)) + name
    return head + prefix_int(0x80 if huffman_value else 0, 7, len(value)) + value


def varint(value):
    """A QUIC variable-length integer in the fewest bytes (RFC 9000
    section 16)."""
    for n, top in [(1, 0), (2, 0x40), (4, 0x80), (8, 0xC0)]:
        if value < 1 << (8 * n - 2):
            return (value | top << (8 * n - 8)).to_bytes(n, "big")
    raise ValueError(value)


def h3_frame(kind, payload):
    return varint(kind) + varint(len(payload)) + payload


def settings_payload(pairs):
    return b"".join(varint(i) + varint(v) for i, v in pairs)


def http3_seeds():
    """Field sections with QPACK's static table and literals (RFC 9204),
    Huffman strings from RFC 7541 Appendix C, SETTINGS payloads and
    streams of HTTP/3 frames."""
    # RFC 7541 C.4 and C.6: Huffman-coded "www.example.com", "no-cache",
    # "custom-key", "custom-value", "302", "private", a date and a URL.
    www = bytes.fromhex("f1e3c2e5f23a6ba0ab90f4ff")
    no_cache = bytes.fromhex("a8eb10649cbf")
    custom_key = bytes.fromhex("25a849e95ba97d7f")
    custom_value = bytes.fromhex("25a849e95bb8e8b4bf")
    c6 = [bytes.fromhex(h) for h in ["6402", "aec3771a4b",
                                     "d07abe941054d444a8200595040b8166e082a62d1bff",
                                     "9d29ad171863c78f0b97c8e9ae82ae43d3"]]
    # Static entries (RFC 9204 Appendix A): 0 :authority, 1 :path /,
    # 15 :method CONNECT, 17 :method GET, 23 :scheme https, 25 :status 200,
    # 90 origin.
    # RFC 9204 B.1: ":path" = "/index.html", a literal with a static name.
    b1 = bytes.fromhex("0000510b2f696e6465782e68746d6c")
    # The extended CONNECT of RFC 9220 (RFC 8441 section 5.1's fields), as
    # hybi encodes it: plain literals.
    connect = (b"\x00\x00" + prefix_int(0xC0, 6, 15) + qpack_literal(b":protocol", b"websocket")
               + prefix_int(0xC0, 6, 23) + qpack_literal(1, b"/chat")
               + qpack_literal(0, b"server.example.com")
               + qpack_literal(b"sec-websocket-protocol", b"chat, superchat")
               + qpack_literal(b"sec-websocket-extensions", b"permessage-deflate")
               + qpack_literal(b"sec-websocket-version", b"13")
               + qpack_literal(90, b"http://www.example.com"))
    # The same request's values Huffman-coded, and a Huffman-coded name.
    huffman = (b"\x00\x00" + prefix_int(0xC0, 6, 15)
               + qpack_literal(b":protocol", bytes.fromhex("f058d072752a7f"), True)
               + prefix_int(0xC0, 6, 23) + qpack_literal(1, bytes.fromhex("60938d3f"), True)
               + qpack_literal(0, www, True)
               + prefix_int(0x28, 3, len(custom_key)) + custom_key
               + prefix_int(0x80, 7, len(custom_value)) + custom_value
               + qpack_literal(b"cache-control", no_cache, True))
    response = (b"\x00\x00" + prefix_int(0xC0, 6, 25)
                + qpack_literal(b"sec-websocket-protocol", b"chat"))
    c6_section = (b"\x00\x00" + qpack_literal(b":status", c6[0], True)
                  + qpack_literal(b"cache-control", c6[1], True)
                  + qpack_literal(b"date", c6[2], True) + qpack_literal(b"location", c6[3], True))
    sections = [
        b1, connect, huffman, response, c6_section,
        b"\x00\x00" + prefix_int(0xC0, 6, 17),  # :method GET
        # Refused: the dynamic table (Required Insert Count 2; an indexed
        # dynamic line), an index past the static table.
        b"\x02\x00\x80", b"\x00\x00\x80", b"\x00\x00\xff\x40",
    ]
    # SETTINGS (RFC 9114 section 7.2.4.1; RFC 9204 section 5; RFC 9220
    # section 3): as a hybi server and client send them, with a reserved
    # identifier (0x1f * N + 0x21), and refused ones: an identifier twice,
    # HTTP/2's SETTINGS_ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL = 2, a pair cut.
    server = settings_payload([(0x01, 0), (0x07, 0), (0x06, 16384), (0x08, 1)])
    client = settings_payload([(0x01, 0), (0x07, 0), (0x06, 16384)])
    settings = [
        server, client,
        settings_payload([(0x08, 1), (0x1F * 3 + 0x21, 0xDEADBEEF), (0x06, 1 << 40)]),
        settings_payload([(0x08, 1), (0x08, 1)]),
        settings_payload([(0x02, 0)]),
        settings_payload([(0x08, 2)]),
        server[:-1],
    ]
    # Frames: a control stream's SETTINGS then GOAWAY and an unknown type;
    # a request stream's HEADERS and DATA (a masked WebSocket frame); a
    # frame whose length runs past the input.
    streams = [
        h3_frame(0x04, server) + h3_frame(0x07, varint(0)) + h3_frame(0x21, b"grease"),
        h3_frame(0x04, client) + h3_frame(0x0D, varint(4)),
        h3_frame(0x01, connect) + h3_frame(0x00, frame(0x81, b"Hello", KEY)),
        h3_frame(0x01, huffman) + h3_frame(0x01, response),
        h3_frame(0x00, bytes(70)) + varint(0x00) + varint(1 << 20) + b"cut",
    ]
    return sections + settings + streams


def seeds():
    out = {}
    masked, unmasked = frames(KEY), frames(None)
    # Byte 0: bit 0 picks the client role (unmasked frames), bits 4-6 allow
    # RSV bits, bit 7 adds a payload limit byte.
    fh = []
    for f in masked:
        fh.append(b"\x00" + f[:14])
    for f in unmasked:
        fh.append(b"\x01" + f[:14])
    fh.append(b"\x01" + frame(0x82, bytes(70000))[:10])
    fh.append(b"\x80\x01" + frame(0x82, bytes(2000), KEY)[:8])
    fh.append(b"\x41" + bytes([0xC1, 0x05]))  # RSV1 allowed
    out["frame_header"] = fh
    out["server_request"] = REQUESTS + [CHROME + masked[0]]
    out["client_response"] = RESPONSES + [RFC_RESPONSE + unmasked[0]]
    out["http_differential"] = [b"\x1f" + r for r in REQUESTS + RESPONSES]
    sc, cc = [], []
    for flags, sizes in [(0x20, []), (0x21, [1]), (0x23, [3, 0, 7]), (0x24, [200, 1, 13])]:
        sc.append(connection_seed(flags, 200, 120, sizes, CHROME, masked))
        sc.append(connection_seed(flags, 10, 120, sizes, RFC_REQUEST, masked[:4]))
        cc.append(connection_seed(flags, 100, 120, sizes, RFC_RESPONSE, unmasked))
    # Bit 4 of the sizes count: this end closes after the first echo.
    sc.append(connection_seed(0x20, 200, 120, [5, 9], CHROME, masked, count=0x10 | 2))
    cc.append(connection_seed(0x21, 100, 120, [], RFC_RESPONSE, unmasked, count=0x10))
    sc.append(connection_seed(0x20, 200, 120, [], OLD_VERSION, []))
    sc.append(connection_seed(0x20, 200, 120, [], PLAIN, []))
    # A path the server refuses with its own 403.
    sc.append(connection_seed(0x20, 200, 120, [3], RFC_REQUEST.replace(b"/chat", b"/chat/403"), []))
    # Byte 0: the chunk size (0: one feed); then the text.
    text = "a€b𐍈cκόσμε¢d\U0010FFFF.xyz!".encode() * 8
    out["utf8_validator"] = [
        b"\x00" + text,
        b"\x07" + text,
        b"\x40" + text[:200] + b"\xed\xa0\x80" + text,
        b"\x01" + text[:100] + b"\xf0\x9f",
    ]
    # Field lists, a line each: name=value.
    rfc8441 = (b":method=CONNECT\n:protocol=websocket\n:scheme=https\n:path=/chat\n"
               b":authority=server.example.com\nsec-websocket-protocol=chat, superchat\n"
               b"sec-websocket-extensions=permessage-deflate\nsec-websocket-version=13\n"
               b"origin=http://www.example.com")
    out["extended_connect"] = [
        rfc8441,
        rfc8441.replace(b"=13", b"=8"),
        rfc8441.replace(b"websocket\n", b"connect-udp\n"),
        b":method=GET\n:scheme=https\n:path=/\n:authority=a",
        b":status=200\nsec-websocket-protocol=chat",
    ]
    out["server_connection"] = sc
    out["client_connection"] = cc
    out["inflate"] = inflate_seeds()
    out["http3_fields"] = http3_seeds()
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for target, items in seeds().items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(d, f"seed-{i:02}"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
