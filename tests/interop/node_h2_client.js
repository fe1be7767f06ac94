'use strict';
// Node's built-in `http2` as a client of hybi's echo_server over HTTP/2
// (RFC 8441): extended CONNECT after the server's SETTINGS enable it,
// RFC 6455 frames in the stream (h2_frames.js), and the requests a server
// must refuse or survive.
//
// Usage: node node_h2_client.js https://localhost:PORT/ CA.pem
//
// Prints one `ok <check>` line per check that passed and exits 0 only if
// all of them did. Every wait is bounded.

const fs = require('fs');
const http2 = require('http2');
const { SIZES, textOf, binaryOf } = require('./messages.js');
const { OP, frame, reader } = require('./h2_frames.js');

const TIMEOUT = 20000; // ms, for any one exchange

function ok(check, detail = '') {
  console.log(`ok ${check} ${detail}`.trimEnd());
}

function bounded(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
}

/** The response's fields, or the stream's error. */
function response(stream) {
  return bounded(
    new Promise((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', reject);
    }),
    'response',
  );
}

/** An extended CONNECT for a WebSocket, with `fields` changed. */
function request(session, authority, fields = {}) {
  const headers = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': '/',
    ':authority': authority,
    'sec-websocket-version': '13',
    'sec-websocket-protocol': 'superchat, chat',
    ...fields,
  };
  for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
  return session.request(headers, { endStream: false });
}

/** A WebSocket: its stream, its reader, and an echo check. */
async function open(session, authority) {
  const stream = request(session, authority);
  const fields = await response(stream);
  check(fields[':status'] === 200, `status 200, got ${fields[':status']}`);
  const next = reader(stream);
  const read = () => bounded(next(), 'message');
  const echo = async (opcode, data, what) => {
    stream.write(frame(opcode, data, true));
    const got = await read();
    check(got.opcode === opcode && Buffer.compare(got.data, Buffer.from(data)) === 0, `echo ${what}`);
  };
  return { stream, fields, read, echo };
}

async function main(url, ca) {
  const authority = new URL(url).host;
  const session = http2.connect(url, { ca: fs.readFileSync(ca) });
  session.on('error', () => {});
  const settings = await bounded(
    new Promise((resolve) => session.once('remoteSettings', resolve)),
    'SETTINGS',
  );
  check(settings.enableConnectProtocol === true, 'SETTINGS_ENABLE_CONNECT_PROTOCOL = 1');
  ok('enable-connect-protocol');

  const ws = await open(session, authority);
  check(ws.fields['sec-websocket-protocol'] === 'chat', 'subprotocol chat');
  check(ws.fields['sec-websocket-accept'] === undefined, 'no accept value');
  ok('subprotocol', 'chat');
  for (const size of SIZES) {
    await ws.echo(OP.text, textOf(size), `text ${size}`);
    ok(`text-${size}`);
    await ws.echo(OP.binary, binaryOf(size), `binary ${size}`);
    ok(`binary-${size}`);
  }
  ws.stream.write(frame(OP.ping, 'are you there', true));
  const pong = await ws.read();
  check(pong.opcode === OP.pong && pong.data.toString() === 'are you there', 'pong');
  ok('ping-pong');

  // Two WebSockets at once on this connection, interleaved.
  const other = await open(session, authority);
  for (let i = 0; i < 20; i++) {
    ws.stream.write(frame(OP.text, `a${i}`, true));
    other.stream.write(frame(OP.binary, Buffer.from(`b${i}`), true));
  }
  for (let i = 0; i < 20; i++) {
    const a = await ws.read();
    const b = await other.read();
    check(a.opcode === OP.text && a.data.toString() === `a${i}`, `stream a message ${i}`);
    check(b.opcode === OP.binary && b.data.toString() === `b${i}`, `stream b message ${i}`);
  }
  ok('two-at-once');

  // Refusals: each gets its status, and the connection goes on.
  const refusals = [
    ['version-8', { 'sec-websocket-version': '8' }, 426],
    ['no-version', { 'sec-websocket-version': undefined }, 426],
    ['other-protocol', { ':protocol': 'connect-udp' }, 501],
    ['unknown-path', { ':path': '/elsewhere' }, 404],
  ];
  for (const [name, fields, status] of refusals) {
    const stream = request(session, authority, fields);
    const got = await response(stream);
    check(got[':status'] === status, `${name}: status ${status}, got ${got[':status']}`);
    if (status === 426) check(got['sec-websocket-version'] === '13', `${name}: sec-websocket-version 13`);
    stream.close();
    ok(`refused-${name}`, `${status}`);
  }
  // A CONNECT without :protocol: a tunnel, which this server is not.
  const tunnel = session.request({ ':method': 'CONNECT', ':authority': authority });
  const tunnelStatus = (await response(tunnel))[':status'];
  check(tunnelStatus === 400, `CONNECT without :protocol: 400, got ${tunnelStatus}`);
  tunnel.close();
  ok('refused-no-protocol', '400');

  // A stream reset in the middle of a message: the others go on.
  const doomed = await open(session, authority);
  doomed.stream.write(frame(OP.binary, Buffer.alloc(1000, 7), true).subarray(0, 300));
  await new Promise((r) => setTimeout(r, 100));
  doomed.stream.close(http2.constants.NGHTTP2_CANCEL);
  await ws.echo(OP.text, 'after a reset', 'after a reset');
  await other.echo(OP.text, 'me too', 'after a reset');
  ok('reset-mid-message');

  // A flood of streams at once, beyond the server's 256 concurrent ones
  // (Node holds back what SETTINGS_MAX_CONCURRENT_STREAMS does not
  // allow): each answered, none taking the others down.
  const flood = [];
  for (let i = 0; i < 300; i++) {
    const stream = request(session, authority);
    flood.push(
      new Promise((resolve) => {
        stream.once('response', (f) => resolve([f[':status'], stream]));
        stream.once('error', () => resolve(['reset', stream]));
        stream.once('close', () => resolve(['closed', stream]));
        setTimeout(() => resolve(['waiting', stream]), 5000);
      }),
    );
  }
  const outcomes = await bounded(Promise.all(flood), 'flood');
  const accepted = outcomes.filter(([s]) => s === 200).length;
  for (const [, stream] of outcomes) stream.close(http2.constants.NGHTTP2_CANCEL);
  check(accepted >= 100, `at least 100 of 300 accepted, got ${accepted}`);
  await ws.echo(OP.text, 'after the flood', 'after the flood');
  ok('flood', `${accepted} of 300 accepted`);

  // The close handshake: 1000 answered, then the stream ends.
  other.stream.end();
  ws.stream.write(frame(OP.close, Buffer.from([0x03, 0xe8]), true));
  const close = await ws.read();
  check(close.opcode === OP.close && close.data.readUInt16BE(0) === 1000, 'close 1000 answered');
  const end = await ws.read();
  check(end.end === true, 'stream ended after the close');
  ok('close-1000');
  session.close();
}

main(process.argv[2], process.argv[3]).then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  },
);
