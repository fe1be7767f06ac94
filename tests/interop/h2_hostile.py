"""Requests no HTTP/2 library sends, against a server of WebSockets over
HTTP/2 (RFC 8441): Python's `h2` with its checks of outgoing fields
turned off. Each must earn a refusal (a status >= 400) or a reset of its
stream (RFC 9113 section 8.1.1: a malformed request is a stream error of
type PROTOCOL_ERROR), and never the WebSocket; a valid WebSocket on the
same connection, opened before them, must echo after them. Two attacks on
connections of their own may end those connections (GOAWAY), and the
first WebSocket must not notice: an upper-case field name, which h2
treats as a connection error (RFC 9113 section 5.4.1 allows it), and a
flood of streams opened and reset at once (the "rapid reset" attack).

usage: h2_hostile.py HOST PORT CA.pem
Prints `ok NAME DETAIL` for each check that held; exits 1 on the first
that did not.
"""

import os
import socket
import ssl
import struct
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings


def fail(message):
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


def ok(name, detail=""):
    print(f"ok {name} {detail}".rstrip(), flush=True)


class Client:
    def __init__(self, host, port, ca):
        context = ssl.create_default_context(cafile=ca)
        context.set_alpn_protocols(["h2"])
        raw = socket.create_connection((host, port), timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        if self.sock.selected_alpn_protocol() != "h2":
            fail(f"ALPN: {self.sock.selected_alpn_protocol()}")
        config = h2.config.H2Configuration(
            client_side=True,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
        )
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.flush()
        self.host = f"{host}:{port}"
        self.events = []
        self.data = {}
        self.connect_protocol = False
        self.goaway = None
        self.wait(lambda: self.connect_protocol, "SETTINGS_ENABLE_CONNECT_PROTOCOL")

    def flush(self):
        try:
            self.sock.sendall(self.conn.data_to_send())
        except OSError as e:
            if self.goaway is None:
                fail(f"send: {e}")

    def settle(self, stream):
        """The stream's status, or "GOAWAY CODE" if the connection ends
        first."""
        try:
            while True:
                if self.goaway is not None:
                    return f"GOAWAY {self.goaway}"
                for event in self.events:
                    if (
                        isinstance(event, h2.events.ResponseReceived)
                        and event.stream_id == stream
                    ):
                        return dict(event.headers)[b":status"].decode()
                chunk = self.sock.recv(65536)
                if not chunk:
                    return "the connection's end without GOAWAY"
                for event in self.conn.receive_data(chunk):
                    if isinstance(event, h2.events.ConnectionTerminated):
                        self.goaway = int(event.error_code)
                    self.events.append(event)
                self.flush()
        except (socket.timeout, OSError) as e:
            return f"{e}"

    def ended(self, what):
        """Reads until GOAWAY or the connection's end; the GOAWAY's code."""
        try:
            while self.goaway is None:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                for event in self.conn.receive_data(chunk):
                    if isinstance(event, h2.events.ConnectionTerminated):
                        self.goaway = int(event.error_code)
                    self.events.append(event)
        except (socket.timeout, OSError) as e:
            fail(f"{what}: {e}")
        return self.goaway

    def pump(self):
        if self.goaway is not None:
            fail(f"GOAWAY {self.goaway}")
        chunk = self.sock.recv(65536)
        if not chunk:
            fail("the server ended the connection")
        for event in self.conn.receive_data(chunk):
            if isinstance(event, h2.events.RemoteSettingsChanged):
                setting = event.changed_settings.get(
                    h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL
                )
                if setting is not None and setting.new_value == 1:
                    self.connect_protocol = True
            if isinstance(event, h2.events.DataReceived):
                self.data.setdefault(event.stream_id, bytearray()).extend(event.data)
                self.conn.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id
                )
            if isinstance(event, h2.events.ConnectionTerminated):
                self.goaway = int(event.error_code)
            self.events.append(event)
        self.flush()

    def wait(self, done, what):
        while not done():
            try:
                self.pump()
            except socket.timeout:
                fail(f"timed out waiting for {what}")

    def request(self, fields):
        stream = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream, fields)
        self.flush()
        return stream

    def outcome(self, stream):
        """The stream's status, or "reset CODE"."""

        def found():
            for event in self.events:
                if getattr(event, "stream_id", None) != stream:
                    continue
                if isinstance(event, h2.events.StreamReset):
                    return f"reset {int(event.error_code)}"
                if isinstance(event, h2.events.ResponseReceived):
                    return dict(event.headers)[b":status"].decode()
            return None

        self.wait(lambda: found() is not None, f"stream {stream}'s answer")
        return found()


def websocket(host):
    return [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/"),
        (":authority", host),
        ("sec-websocket-version", "13"),
    ]


def masked(opcode, payload):
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + key + body


def main():
    host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    client = Client(host, port, ca)
    base = websocket(client.host)
    ok("enable-connect-protocol")

    # A WebSocket opened first, used last: the hostile requests between
    # must not disturb it.
    good = client.request(websocket(client.host))
    status = client.outcome(good)
    if status != "200":
        fail(f"valid CONNECT: {status}")

    without = lambda name: [f for f in base if f[0] != name]
    cases = [
        # RFC 9113 section 8.2.2: connection-specific fields are malformed.
        ("connection", base + [("connection", "upgrade")]),
        ("upgrade", base + [("upgrade", "websocket")]),
        ("keep-alive", base + [("keep-alive", "timeout=5")]),
        ("transfer-encoding", base + [("transfer-encoding", "chunked")]),
        ("te-gzip", base + [("te", "gzip")]),
        # RFC 9113 section 8.3: pseudo-header fields come first, once.
        ("pseudo-after-field", without(":authority") + [(":authority", client.host)]),
        ("duplicate-path", base + [(":path", "/again")]),
        # RFC 8441 section 4: an extended CONNECT carries :scheme and :path.
        ("no-path", without(":path")),
        ("no-scheme", without(":scheme")),
        # RFC 6455 section 4.2.1 item 6 by way of RFC 8441 section 5.
        ("no-version", without("sec-websocket-version")),
    ]
    for name, fields in cases:
        stream = client.request(fields)
        # The request's end: a refusal must come without waiting for it.
        outcome = client.outcome(stream)
        if outcome.startswith("reset"):
            if outcome != "reset 1":
                fail(f"{name}: {outcome}, not PROTOCOL_ERROR (1)")
        elif int(outcome) < 400:
            fail(f"{name}: answered {outcome}")
        ok(f"refused-{name}", outcome)

    # RFC 9113 section 8.2.1: field names are lower case. h2 ends the
    # connection for it (section 5.4.1 lets a stream error be a connection
    # error): on a connection of its own.
    other = Client(host, port, ca)
    other.request(base + [("Sec-WebSocket-Protocol", "chat")])
    code = other.ended("upper-case-name")
    if code != 1:
        fail(f"upper-case-name: GOAWAY {code}, not PROTOCOL_ERROR (1)")
    ok("refused-upper-case-name", f"GOAWAY {code}")

    # A flood: 200 streams opened and reset at once, on a connection of
    # its own. A server that sees them reset before it took them ends the
    # connection (ENHANCE_YOUR_CALM, 11: the "rapid reset" attack); one
    # that took them first has them all reset and serves on. Which one
    # depends on timing; either is an answer, silence is not.
    flood = Client(host, port, ca)
    streams = [flood.request(websocket(flood.host)) for _ in range(200)]
    for stream in streams:
        flood.conn.reset_stream(stream, error_code=8)  # CANCEL
    flood.flush()
    probe = None
    if flood.goaway is None:
        probe = flood.request(websocket(flood.host))
    outcome = flood.settle(probe)
    if outcome not in ("GOAWAY 11", "200"):
        fail(f"flood: {outcome}, not GOAWAY 11 (ENHANCE_YOUR_CALM) or a WebSocket")
    ok("flood", f"200 streams opened and reset: {outcome}")

    # The first WebSocket still echoes.
    client.conn.send_data(good, masked(1, b"still here"))
    client.flush()
    client.wait(lambda: len(client.data.get(good, b"")) >= 12, "the echo")
    echo = bytes(client.data[good][:12])
    if echo != b"\x81\x0astill here":
        fail(f"echo: {echo!r}")
    ok("still-echoes")
    client.conn.send_data(good, masked(8, struct.pack("!H", 1000)))
    client.flush()
    client.wait(lambda: len(client.data[good]) >= 16, "the close reply")
    reply = bytes(client.data[good][12:16])
    if reply != b"\x88\x02\x03\xe8":
        fail(f"close reply: {reply!r}")
    ok("close-1000")


if __name__ == "__main__":
    main()
