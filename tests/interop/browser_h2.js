'use strict';
// Headless Chromium, driven by Playwright, against hybi's echo_server
// serving HTTP/2 (feature http2): the page loads over HTTP/2, and the
// WebSockets it opens go over that connection (RFC 8441).
//
// Usage: node browser_h2.js https://127.0.0.1:PORT/ [chromium-path]
//
// Checks that the page came over h2, that the page's own WebSocket
// opened, and text and binary echoes up to 1 MiB, the subprotocol and a
// clean close through a WebSocket the test opens from the page; that the
// browser saw the handshake answered 200 (not 101). Prints one `ok
// <check>` line per check that passed and exits 0 only if all did.

const path = require('path');
const { chromium } = require('playwright-core');

const TIMEOUT = 30000;
const pageUrl = process.argv[2];
const executablePath = process.argv[3] || '/usr/bin/chromium';
const wsUrl = pageUrl.replace(/^http/, 'ws');

setTimeout(() => {
  console.error('browser_h2.js: timed out');
  process.exit(2);
}, 120000).unref();

function ok(check, detail = '') {
  console.log(`ok ${check} ${detail}`.trimEnd());
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function inPage(url) {
  const { SIZES, textOf, binaryOf } = globalThis.interopMessages;
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
    ws.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
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
  for (const size of SIZES) {
    for (const [kind, message] of [['text', textOf(size)], ['binary', binaryOf(size)]]) {
      ws.send(message);
      results.push({ check: `${kind}-${size}`, same: same(await next(), message) });
    }
  }
  ws.close(1000, 'done');
  results.push({ check: 'close', ...(await closed) });
  return results;
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: TIMEOUT,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--ignore-certificate-errors'],
  });
  try {
    ok('launch', browser.version());
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    page.setDefaultTimeout(TIMEOUT);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const statuses = [];
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) => statuses.push(e.response.status));

    const response = await page.goto(pageUrl);
    check(response.status() === 200, `GET / answered ${response.status()}`);
    const protocol = await page.evaluate(
      () => performance.getEntriesByType('navigation')[0].nextHopProtocol,
    );
    check(protocol === 'h2', `page loaded over ${protocol}`);
    ok('page-over-h2');
    await page.locator('#status').filter({ hasText: /^open$/ }).waitFor();
    ok('page-open');

    await page.addScriptTag({ path: path.join(__dirname, 'messages.js') });
    for (const result of await page.evaluate(inPage, wsUrl)) {
      if (result.check === 'open') {
        check(result.protocol === 'chat', `subprotocol ${JSON.stringify(result.protocol)}`);
        ok('subprotocol', `${result.protocol} ${result.extensions}`);
      } else if (result.check === 'close') {
        check(result.wasClean === true && result.code === 1000, `close ${JSON.stringify(result)}`);
        ok('close-1000');
      } else {
        check(result.same === true, `${result.check}: echo differs`);
        ok(result.check);
      }
    }
    check(statuses.length >= 2 && statuses.every((s) => s === 200), `handshake statuses ${statuses}`);
    ok('handshakes-200', statuses.join(','));
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
