'use strict';
// Node `ws` as the client of hybi's echo_server example.
//
// Usage: node node_client.js ws://127.0.0.1:PORT/
//        node node_client.js wss://localhost:PORT/ CA.pem   (TLS, trusting CA.pem)
//
// Prints one `ok <check>` line per check that passed and exits 0 only if all
// of them did. Every wait is bounded.

const fs = require('fs');
const WebSocket = require('ws');
const { SIZES, textOf, binaryOf, jsonOf, randomOf, MULTIBYTE } = require('./messages.js');

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

/** Queues incoming messages so they can be awaited one at a time. */
function inbox(ws) {
  const queue = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? data : data.toString('utf8');
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  return () =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r));
}

function same(reply, message) {
  if (typeof message === 'string') return typeof reply === 'string' && reply === message;
  return Buffer.isBuffer(reply) && Buffer.compare(reply, Buffer.from(message)) === 0;
}

async function main(url, ca) {
  // For wss://: the host name checked, the test's CA the only root.
  const tls = ca ? { ca: fs.readFileSync(ca) } : {};
  const ws = new WebSocket(url, ['superchat', 'chat'], { maxPayload: 64 * 1024 * 1024, ...tls });
  const next = inbox(ws);
  const closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await bounded(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    'open',
  );
  if (ws.protocol !== 'chat') throw new Error(`subprotocol ${JSON.stringify(ws.protocol)}`);
  ok('subprotocol', ws.protocol);
  // The extensions agreed: permessage-deflate, which ws offers by
  // default, or '' when the server declined it.
  ok('extensions', ws.extensions);

  const echo = async (message, check) => {
    ws.send(message);
    const reply = await bounded(next(), check);
    if (!same(reply, message)) throw new Error(`${check}: echo differs`);
    ok(check);
  };
  // First, so that they are the first messages each way on the wire:
  // compressible text and random bytes.
  for (const size of SIZES) {
    await echo(jsonOf(size), `json-${size}`);
    await echo(randomOf(size), `random-${size}`);
  }
  for (const size of SIZES) {
    await echo(textOf(size), `text-${size}`);
    await echo(binaryOf(size), `binary-${size}`);
  }
  for (const [name, text] of Object.entries(MULTIBYTE)) await echo(text, `utf8-${name}`);

  // Pipelined: all sent before any echo is read.
  const sent = [];
  for (let i = 0; i < 100; i++) {
    const message = i % 2 === 0 ? `pipelined ${i} \u20ac` : binaryOf(i * 13);
    sent.push(message);
    ws.send(message);
  }
  for (let i = 0; i < sent.length; i++) {
    const reply = await bounded(next(), `pipelined ${i}`);
    if (!same(reply, sent[i])) throw new Error(`pipelined ${i}: echo differs`);
  }
  ok('pipelined-100');

  const pong = new Promise((resolve) => ws.once('pong', resolve));
  ws.ping(Buffer.from('are you there'));
  const pongData = await bounded(pong, 'pong');
  if (pongData.toString() !== 'are you there') throw new Error(`pong carried ${pongData}`);
  ok('ping-pong');

  ws.close(1000, 'done');
  const { code } = await bounded(closed, 'close');
  // ws reports the code of the close frame it received (1005 for none, 1006
  // for no close frame at all).
  if (code !== 1000) throw new Error(`server closed with ${code}`);
  ok('close-1000', `received ${code}`);
}

main(process.argv[2], process.argv[3]).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
