'use strict';
// RFC 6455 framing over a Node `http2` stream (RFC 8441), for the HTTP/2
// interop scripts: Node's `http2` module does the extended CONNECT but
// has no WebSocket of its own. Whole frames only; no extensions.

const crypto = require('crypto');

const OP = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

/** A frame, masked for a client. */
function frame(opcode, payload, mask) {
  const data = Buffer.from(payload);
  const len = data.length;
  const head = [0x80 | opcode];
  const bit = mask ? 0x80 : 0;
  if (len < 126) head.push(bit | len);
  else if (len < 65536) head.push(bit | 126, len >> 8, len & 0xff);
  else {
    head.push(bit | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/**
 * Reads frames from `stream` and hands out whole messages (fragments
 * joined), pings, pongs and closes, in order: `next()` is a promise of
 * the next `{ opcode, data }`, or `{ end: true }` when the stream ends,
 * or `{ error }` when it is reset.
 */
function reader(stream) {
  let buffered = Buffer.alloc(0);
  let message = null;
  const queue = [];
  const waiters = [];
  const push = (item) => {
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else queue.push(item);
  };
  stream.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0] & 0x80) !== 0;
      const opcode = buffered[0] & 0x0f;
      const masked = (buffered[1] & 0x80) !== 0;
      let len = buffered[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buffered.length < 4) return;
        len = buffered.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buffered.length < 10) return;
        len = Number(buffered.readBigUInt64BE(2));
        at = 10;
      }
      const keyAt = at;
      if (masked) at += 4;
      if (buffered.length < at + len) return;
      let payload = Buffer.from(buffered.subarray(at, at + len));
      if (masked) {
        const key = buffered.subarray(keyAt, keyAt + 4);
        for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
      }
      buffered = buffered.subarray(at + len);
      if (opcode >= 8) {
        push({ opcode, data: payload, masked });
        continue;
      }
      if (opcode !== OP.cont) message = { opcode, parts: [] };
      if (message) message.parts.push(payload);
      if (fin && message) {
        push({ opcode: message.opcode, data: Buffer.concat(message.parts), masked });
        message = null;
      }
    }
  });
  stream.on('end', () => push({ end: true }));
  stream.on('error', (error) => push({ error }));
  stream.on('close', () => push({ end: true }));
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
}

module.exports = { OP, frame, reader };
