'use strict';
// Captures the extended CONNECT (RFC 8441) a browser sends for
// `new WebSocket(...)`: Node's built-in `http2` serves, over TLS, a page
// at `/` whose script opens `wss://HOST:PORT/chat?room=1` with the
// subprotocols `chat` and `superchat`, with SETTINGS_ENABLE_CONNECT_PROTOCOL
// = 1. The CONNECT's fields are printed in wire order, as `rawHeaders`
// gives them, as one JSON line `connect [[name, value], ...]`; it is
// answered 200 with `chat`, and the server exits once the page reports
// the socket open (or on the first CONNECT, if the page never does).
//
// HTTP/1.1 is allowed too, so that a browser that opens its WebSocket
// with an HTTP/1.1 Upgrade shows up as `upgrade [[name, value], ...]`
// rather than as silence; that is reported, not answered.
//
// Usage: node h2_capture.js CERT.pem KEY.pem
// Prints `port N` once listening on 127.0.0.1; exits 0 after a CONNECT,
// 3 after an HTTP/1.1 Upgrade, 2 after 60 s without either.

const fs = require('fs');
const http2 = require('http2');

const [cert, key] = process.argv.slice(2);
const server = http2.createSecureServer({
  cert: fs.readFileSync(cert),
  key: fs.readFileSync(key),
  allowHTTP1: true,
  settings: { enableConnectProtocol: true },
});

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>h2 capture</title>
<p id="status">connecting</p>
<script>
const ws = new WebSocket('wss://' + location.host + '/chat?room=1', ['chat', 'superchat']);
const report = (what) => {
  document.getElementById('status').textContent = what;
  fetch('/report?' + encodeURIComponent(what)).catch(() => {});
};
ws.onopen = () => report('open ' + ws.protocol);
ws.onerror = () => report('error');
</script>
`;

const pairs = (raw) => {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
};

let connected = false;
const finish = (code) => setTimeout(() => process.exit(code), 200);

server.on('stream', (stream, headers, flags, rawHeaders) => {
  const method = headers[':method'];
  const path = headers[':path'] || '';
  if (method === 'CONNECT') {
    console.log(`connect ${JSON.stringify(pairs(rawHeaders))}`);
    connected = true;
    const answer = { ':status': 200 };
    if ((headers['sec-websocket-protocol'] || '').split(',').some((p) => p.trim() === 'chat')) {
      answer['sec-websocket-protocol'] = 'chat';
    }
    stream.respond(answer);
    stream.on('error', () => {});
    // The page may never manage to report back; do not wait long.
    setTimeout(() => finish(0), 3000).unref();
  } else if (method === 'GET' && path === '/') {
    console.log(`page over h2 (${headers[':authority']})`);
    stream.respond({ ':status': 200, 'content-type': 'text/html; charset=utf-8' });
    stream.end(PAGE);
  } else if (method === 'GET' && path.startsWith('/report?')) {
    console.log(`page: ${decodeURIComponent(path.slice('/report?'.length))}`);
    stream.respond({ ':status': 204 }, { endStream: true });
    if (connected) finish(0);
  } else {
    stream.respond({ ':status': 404 }, { endStream: true });
  }
});

// HTTP/1.1: the page (a browser that did not negotiate h2) and any Upgrade.
server.on('request', (req, res) => {
  if (req.httpVersionMajor >= 2) return; // answered as a stream above
  console.log(`http/1.1 ${req.method} ${req.url}`);
  if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  } else {
    res.writeHead(404);
    res.end();
  }
});
// With a 'request' listener, Node's compatibility layer sees every h2
// stream too, and answers a CONNECT 405 unless 'connect' has a listener:
// the streams are answered above.
server.on('connect', () => {});
server.on('upgrade', (req, socket) => {
  console.log(`upgrade ${JSON.stringify(pairs(req.rawHeaders))}`);
  socket.destroy();
  finish(3);
});

server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
setTimeout(() => {
  console.error('h2_capture.js: no WebSocket handshake within 60 s');
  process.exit(2);
}, 60000).unref();
process.on('SIGTERM', () => process.exit(0));
