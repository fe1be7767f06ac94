'use strict';
// Node `ws` as the server for hybi's client: the same behaviour as
// py_server.py, permessage-deflate accepted.
//
// Usage: node node_server.js [lifetime-seconds] [CERT KEY]
// (with CERT and KEY, PEM files, it serves wss://)
//
// Listens on 127.0.0.1 on a port the OS picks and prints `port N`. Echoes
// every message with its type and speaks the subprotocol `chat` only. Two
// text messages are commands:
//
// - `ping-me`: pings the client, waits for its pong, then sends `pong-received`;
// - `close-4000`: closes with code 4000 and reason `bye`.
//
// When a connection ends it prints one line:
// `closed received=CODE reason=REASON messages=N subprotocol=P`, where CODE
// is the code of the client's close frame.
// Stops by itself after the lifetime (default 120 s).

const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const lifetime = Number(process.argv[2] || 120);
const [cert, key] = process.argv.slice(3, 5);

const options = {
  maxPayload: 64 * 1024 * 1024,
  // permessage-deflate, which a ws server does not accept by default.
  perMessageDeflate: true,
  handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
};
let server;
if (cert) {
  const tls = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
  server = new WebSocketServer({ server: tls, ...options });
  tls.listen(0, '127.0.0.1', () => console.log(`port ${tls.address().port}`));
} else {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  server.on('listening', () => console.log(`port ${server.address().port}`));
}

server.on('connection', (ws) => {
  let messages = 0;
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString('utf8');
    if (text === 'ping-me') {
      const timer = setTimeout(() => ws.terminate(), 20000);
      ws.once('pong', () => {
        clearTimeout(timer);
        ws.send('pong-received');
      });
      ws.ping(Buffer.from('server ping'));
    } else if (text === 'close-4000') {
      ws.close(4000, 'bye');
    } else {
      messages += 1;
      ws.send(isBinary ? data : text);
    }
  });
  ws.on('close', (code, reason) => {
    // `code` is the one the client's close frame carried (1005 for none,
    // 1006 when no close frame came).
    console.log(
      `closed received=${code} reason=${reason.toString()} ` +
        `messages=${messages} subprotocol=${ws.protocol}`,
    );
  });
});

setTimeout(() => process.exit(0), lifetime * 1000);
