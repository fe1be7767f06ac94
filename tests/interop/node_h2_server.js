'use strict';
// Node's built-in `http2` as a server of WebSockets over HTTP/2 (RFC 8441)
// for hybi's client: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, an extended
// CONNECT answered with :status 200 (subprotocol `chat` when offered),
// and every message echoed back (framing: h2_frames.js). `/refuse` is
// answered 403. Pings are answered with pongs, a close with a close.
//
// Usage: node node_h2_server.js CERT.pem KEY.pem
// Prints `port N` once listening; exits on SIGTERM.

const fs = require('fs');
const http2 = require('http2');
const { OP, frame, reader } = require('./h2_frames.js');

const [cert, key] = process.argv.slice(2);
const server = http2.createSecureServer({
  cert: fs.readFileSync(cert),
  key: fs.readFileSync(key),
  settings: { enableConnectProtocol: true },
});

server.on('stream', async (stream, headers) => {
  if (headers[':method'] !== 'CONNECT' || headers[':protocol'] !== 'websocket') {
    stream.respond({ ':status': 404 }, { endStream: true });
    return;
  }
  if (headers[':path'] === '/refuse') {
    stream.respond({ ':status': 403 }, { endStream: true });
    return;
  }
  if (headers['sec-websocket-version'] !== '13') {
    stream.respond({ ':status': 426, 'sec-websocket-version': '13' }, { endStream: true });
    return;
  }
  const offered = (headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim());
  const answer = { ':status': 200 };
  if (offered.includes('chat')) answer['sec-websocket-protocol'] = 'chat';
  stream.respond(answer);
  console.log(`connect ${headers[':path']} ${headers[':authority']} ${headers['sec-websocket-extensions'] || '-'}`);
  const next = reader(stream);
  for (;;) {
    const item = await next();
    if (item.end || item.error) return;
    if (!item.masked) {
      stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
      return;
    }
    if (item.opcode === OP.ping) stream.write(frame(OP.pong, item.data, false));
    else if (item.opcode === OP.close) {
      stream.end(frame(OP.close, item.data.subarray(0, 2), false));
      console.log(`closed ${item.data.length >= 2 ? item.data.readUInt16BE(0) : 'no code'}`);
      return;
    } else if (item.opcode === OP.text || item.opcode === OP.binary) {
      if (item.opcode === OP.text && item.data.toString('utf8') === 'ping-me') {
        stream.write(frame(OP.ping, 'from node', false));
      }
      stream.write(frame(item.opcode, item.data, false));
    }
  }
});

server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
