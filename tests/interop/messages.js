'use strict';
// The messages every interop client sends: the same set as py_client.py.
// Loaded by Node with require() and into a page as a classic script.

const SIZES = [0, 125, 126, 64 * 1024, 1024 * 1024];

/** ASCII text of `size` bytes. */
function textOf(size) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return alphabet.repeat(Math.floor(size / alphabet.length) + 1).slice(0, size);
}

/** `size` bytes covering every byte value. */
function binaryOf(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) % 256;
  return bytes;
}

/** JSON-like ASCII text of `size` bytes: records that differ in their
 * numbers, which compress to a fraction of their size. */
function jsonOf(size) {
  const records = ['['];
  let length = 1;
  for (let i = 0; length < size; i++) {
    const record =
      `{"id":${i},"name":"user ${i}","score":${(i * 7919) % 100003},` +
      `"active":${i % 3 !== 0},"tags":["alpha","beta"]},`;
    records.push(record);
    length += record.length;
  }
  return records.join('').slice(0, size);
}

/** `size` random bytes, which do not compress. */
function randomOf(size) {
  const bytes = new Uint8Array(size);
  // getRandomValues fills at most 65536 bytes at a time.
  for (let at = 0; at < size; at += 65536) {
    globalThis.crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, size)));
  }
  return bytes;
}

// 2-, 3- and 4-byte UTF-8 characters, alone and mixed; the long one is
// larger than the server's 256 KiB read buffer, so its chunks split characters.
const MULTIBYTE = {
  '2-byte': '\u00e9',
  '3-byte': '\u20ac',
  '4-byte': '\u{1f600}',
  mixed: 'a\u00e9\u20ac\u{1f600}',
  'mixed-700k': 'a\u00e9\u20ac\u{1f600}'.repeat(70000),
};

if (typeof module !== 'undefined') {
  module.exports = { SIZES, textOf, binaryOf, jsonOf, randomOf, MULTIBYTE };
} else {
  globalThis.interopMessages = { SIZES, textOf, binaryOf, jsonOf, randomOf, MULTIBYTE };
}
