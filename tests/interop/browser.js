'use strict';
// Headless Chromium, driven by Playwright, against hybi's echo_server
// example.
//
// Usage: node browser.js http://127.0.0.1:PORT/ [chromium-path]
// (`playwright-core` is found through NODE_PATH; no browser is downloaded:
// the Chromium given, /usr/bin/chromium by default, is used.)
//
// Opens the page the server serves at `/`, waits for its own connection to
// open, then from the page opens a WebSocket and checks text and binary
// echoes up to 1 MiB (compressible JSON-like text and random bytes
// first), the subprotocol, a clean close, and reports the extensions the
// page saw and the handshakes' Sec-WebSocket-Extensions (`ok offer ...`,
// `ok answer ...`). Prints one `ok <check>` line per check that
// passed and exits 0 only if all of them did.

const path = require('path');
const { chromium } = require('playwright-core');

const TIMEOUT = 30000; // ms, for any one step
const pageUrl = process.argv[2];
const executablePath = process.argv[3] || '/usr/bin/chromium';
const wsUrl = pageUrl.replace(/^http/, 'ws');
// For https:// (echo_server --tls with a throwaway CA), and that test only:
// certificate errors are ignored.
const tls = pageUrl.startsWith('https:');

// The whole run is bounded too; on SIGTERM Playwright closes the browser.
setTimeout(() => {
  console.error('browser.js: timed out');
  process.exit(2);
}, 120000).unref();

function ok(check, detail = '') {
  console.log(`ok ${check} ${detail}`.trimEnd());
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs in the page: echoes every message through a new WebSocket. */
async function inPage(url) {
  const { SIZES, textOf, binaryOf, jsonOf, randomOf, MULTIBYTE } = globalThis.interopMessages;
  const results = [];
  const ws = new WebSocket(url, ['superchat', 'chat']);
  ws.binaryType = 'arraybuffer';
  const queue = [];
  const waiters = [];
  ws.onmessage = (event) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event.data);
    else queue.push(event.data);
  };
  const closed = new Promise((resolve) => {
    ws.onclose = (event) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  });
  const next = () =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('WebSocket error before open'));
  });
  results.push({ check: 'open', protocol: ws.protocol, extensions: ws.extensions });

  const same = (reply, message) => {
    if (typeof message === 'string') return reply === message;
    if (!(reply instanceof ArrayBuffer) || reply.byteLength !== message.length) return false;
    const bytes = new Uint8Array(reply);
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== message[i]) return false;
    return true;
  };
  const echo = async (message, name) => {
    ws.send(message);
    const reply = await next();
    results.push({ check: name, same: same(reply, message) });
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

  const sent = [];
  for (let i = 0; i < 100; i++) {
    const message = i % 2 === 0 ? `pipelined ${i} \u20ac` : binaryOf(i * 13);
    sent.push(message);
    ws.send(message);
  }
  let allSame = true;
  for (const message of sent) allSame = same(await next(), message) && allSame;
  results.push({ check: 'pipelined-100', same: allSame });

  ws.close(1000, 'done');
  results.push({ check: 'close', ...(await closed) });
  return results;
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: TIMEOUT,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(tls ? ['--ignore-certificate-errors'] : []),
    ],
  });
  try {
    ok('launch', browser.version());
    const page = await browser.newPage({ ignoreHTTPSErrors: tls });
    page.setDefaultTimeout(TIMEOUT);

    // The handshakes as the browser saw them, from the DevTools protocol.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const requests = [];
    const responses = [];
    const lower = (headers) =>
      Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    cdp.on('Network.webSocketWillSendHandshakeRequest', (e) =>
      requests.push(lower(e.request.headers)),
    );
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) =>
      responses.push({ status: e.response.status, headers: lower(e.response.headers) }),
    );

    const response = await page.goto(pageUrl);
    check(response.status() === 200, `GET / answered ${response.status()}`);
    // The page's own connection (its controls are page.js's business).
    await page.locator('#status').filter({ hasText: /^open$/ }).waitFor();
    ok('page-open');

    await page.addScriptTag({ path: path.join(__dirname, 'messages.js') });
    const results = await page.evaluate(inPage, wsUrl);
    for (const result of results) {
      if (result.check === 'open') {
        check(result.protocol === 'chat', `subprotocol ${JSON.stringify(result.protocol)}`);
        ok('subprotocol', result.protocol);
        ok('extensions', result.extensions);
      } else if (result.check === 'close') {
        check(result.wasClean === true, `close not clean: ${JSON.stringify(result)}`);
        check(result.code === 1000, `close code ${result.code}`);
        ok('close-1000', `wasClean ${result.wasClean}`);
      } else {
        check(result.same === true, `${result.check}: echo differs`);
        ok(result.check);
      }
    }

    // Two handshakes: the page's own and the one above, each with the
    // same offer and the same answer.
    check(requests.length >= 2, `${requests.length} handshake requests seen`);
    check(responses.length === requests.length, `${responses.length} handshake responses`);
    const offers = new Set(requests.map((h) => h['sec-websocket-extensions'] || ''));
    const answers = new Set(responses.map(({ headers }) => headers['sec-websocket-extensions'] || ''));
    for (const { status } of responses) check(status === 101, `handshake status ${status}`);
    check(offers.size === 1, `different offers: ${[...offers].join(' | ')}`);
    check(answers.size === 1, `different answers: ${[...answers].join(' | ')}`);
    ok('offer', [...offers][0]);
    ok('answer', [...answers][0]);
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
