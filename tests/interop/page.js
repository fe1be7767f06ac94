'use strict';
// Headless Chromium, driven by Playwright, uses the test page that hybi's
// echo_server example serves at `/` the way a person would: through its
// status line, text input, Send button, Enter key, binary size input, log,
// Close and Reconnect buttons.
//
// Usage: node page.js http://127.0.0.1:PORT/ [chromium-path]
// (`playwright-core` is found through NODE_PATH; no browser is downloaded:
// the Chromium given, /usr/bin/chromium by default, is used. With
// HYBI_INTEROP_SCREENSHOT=file.png, a screenshot of the page at the end.)
//
// Prints one `ok <check>` line per check that passed, then
// `ok page-sent N messages, B bytes` (what the first connection sent, as
// echo_server reports it), and exits 0 only if all of them passed.

const { chromium } = require('playwright-core');

const TIMEOUT = 30000; // ms, for any one step
const pageUrl = process.argv[2];
const executablePath = process.argv[3] || '/usr/bin/chromium';
// For https:// (echo_server --tls with a throwaway CA), and that test only:
// certificate errors are ignored.
const tls = pageUrl.startsWith('https:');

// The whole run is bounded too; on SIGTERM Playwright closes the browser.
setTimeout(() => {
  console.error('page.js: timed out');
  process.exit(2);
}, 120000).unref();

function ok(check, detail = '') {
  console.log(`ok ${check} ${detail}`.trimEnd());
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    /** What the page shows, for failure messages. */
    const shown = () =>
      page.evaluate(() => {
        const text = (id) => document.getElementById(id)?.innerText ?? `(no #${id})`;
        return `status: ${text('status')}\nlog:\n${text('log')}`;
      });
    /** Waits until the status reads `pattern`. */
    const status = async (pattern) => {
      try {
        await page.locator('#status').filter({ hasText: pattern }).waitFor();
      } catch (e) {
        throw new Error(`status never matched ${pattern}\n${await shown()}`);
      }
      return page.textContent('#status');
    };
    /** Waits for a log line matching `pattern` (after its time) and returns it. */
    const logLine = async (pattern) => {
      const timed = new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\s+${pattern.source.replace(/^\^/, '')}`);
      const line = page.locator('#log > div').filter({ hasText: timed });
      try {
        await line.first().waitFor();
      } catch (e) {
        throw new Error(`no log line matched ${pattern}\n${await shown()}`);
      }
      check((await line.count()) === 1, `more than one log line matched ${pattern}`);
      return (await line.textContent()).replace(/^\S+\s+/, ''); // without the time
    };
    let sentMessages = 0;
    let sentBytes = 0;
    /** Types `text`, sends it with the Send button or Enter, waits for its echo. */
    const sendText = async (text, how) => {
      const bytes = Buffer.byteLength(text);
      await page.fill('#text', text);
      if (how === 'enter') await page.press('#text', 'Enter');
      else await page.click('#send');
      sentMessages += 1;
      sentBytes += bytes;
      const shownText =
        text.length > 200 ? `${escape(text.slice(0, 200))}… \\(${text.length} characters\\)` : escape(text);
      return logLine(new RegExp(`^← text ${bytes} B, \\d+\\.\\d ms: ${shownText}$`));
    };

    const response = await page.goto(pageUrl);
    check(response.status() === 200, `GET / answered ${response.status()}`);
    await status(/^open$/);
    ok('page-open');

    // Of `echo, chat`, the server takes the first.
    const protocol = await page.textContent('#protocol');
    check(protocol === 'echo', `subprotocol shown: ${JSON.stringify(protocol)}`);
    ok('page-subprotocol', protocol);
    // Chromium offers permessage-deflate: what the page shows of it (the
    // test checks it).
    const extensions = await page.textContent('#extensions');
    ok('page-extensions', extensions);

    ok('page-text-send', await sendText('hello from Playwright \u20ac', 'click'));
    ok('page-text-enter', await sendText('sent with Enter \u{1f600}', 'enter'));
    ok('page-text-long', await sendText('0123456789'.repeat(100), 'click'));

    await page.fill('#size', '70000');
    await page.click('#send-binary');
    sentMessages += 1;
    sentBytes += 70000;
    ok('page-binary-70000', await logLine(/^← binary 70000 B, \d+\.\d ms$/));

    // Every echo matched what was sent, in order.
    const bad = await page.locator('#log .bad').allTextContents();
    check(bad.length === 0, `log lines marked bad: ${bad.join('\n')}`);
    const echoes = await page.locator('#log > div').filter({ hasText: /^\d\d:\d\d:\d\d\s+← / }).count();
    check(echoes === sentMessages, `${echoes} echoes logged for ${sentMessages} sent`);
    ok('page-echoes-in-order', `${echoes}`);

    const firstSent = `${sentMessages} messages, ${sentBytes} bytes`;
    await page.click('#close');
    // (echo_server's reply carries the code only; "not clean" would follow.)
    const closed = await status(/^closed: code 1000, reason ".*"$/);
    ok('page-close-1000', closed);
    check(await page.isDisabled('#send'), 'Send still enabled after the close');
    check(await page.isDisabled('#send-binary'), 'Send binary still enabled after the close');
    ok('page-buttons-disabled');

    // Reconnect offering only `chat`: the negotiation follows.
    await page.fill('#protocols', 'chat');
    await page.click('#reconnect');
    await status(/^open$/);
    const second = await page.textContent('#protocol');
    check(second === 'chat', `subprotocol shown after Reconnect: ${JSON.stringify(second)}`);
    ok('page-reconnect', second);
    ok('page-reconnect-echo', await sendText('after reconnect', 'click'));
    await page.click('#close');
    await status(/^closed: code 1000, reason ".*"$/);
    ok('page-reconnect-close-1000');

    check(pageErrors.length === 0, `errors in the page: ${pageErrors.join('\n')}`);
    ok('page-no-errors');
    if (process.env.HYBI_INTEROP_SCREENSHOT) {
      await page.screenshot({ path: process.env.HYBI_INTEROP_SCREENSHOT, fullPage: true });
    }
    ok('page-sent', firstSent);
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
