// Accessibility checks of kring's pages in the system Chromium: axe-core (WCAG 2.0/2.1/2.2 A and
// AA, plus axe's best practices: landmarks, heading order, unique ids) and keyboard basics (the
// first Tab reaches the skip link, the skip link moves focus to <main>, and the first tab stops
// show a visible focus indicator).
//
//   node axe.mjs BASE_URL COOKIE_HEADER_OR_EMPTY PATH...
//
// COOKIE_HEADER is sent as the browser's cookies (e.g. "kring_session=…") for signed-in pages.
// A PATH of the form "submit:/path" opens /path, submits its first POST form in <main> as it is
// (browser validation off, so an empty form reaches the server) and checks the page that comes
// back: forms re-rendered with their errors.
//
// Prints one JSON line per page: {"path", "url", "violations": [{id, impact, help, nodes}],
// "incomplete": [ids axe could not decide, for a person to look at; they do not fail]}.
// Exits 0 when no page has a violation, 1 when one has, 2 on a usage or browser error.
// Needs `npm ci` in this directory; never downloads a browser.

import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core');
// Debian's package `chromium`; tests/it/browser.rs checks for the same path.
const CHROMIUM = '/usr/bin/chromium';
// WCAG 2.1 AA is the legal bar for Dutch public bodies (EN 301 549); 2.2 AA and axe's best
// practices (landmarks, heading order, a single <h1>) cost nothing while the pages meet them.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const SKIP_LINK_TEXT = 'Naar de inhoud';
/** How many tab stops after the skip link must show a visible focus indicator. */
const TAB_STOPS = 6;

const [base, cookieHeader, ...paths] = process.argv.slice(2);
if (!base || cookieHeader === undefined || paths.length === 0) {
  console.error('usage: node axe.mjs BASE_URL COOKIE_HEADER_OR_EMPTY PATH...');
  process.exit(2);
}

function cookies(header) {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
    });
}

function violation(id, help, targets = []) {
  return { id, impact: 'serious', help, nodes: targets.map((t) => [t]) };
}

/** Opens `path` (submitting its form for "submit:" paths); returns problems with the response. */
async function open(page, path) {
  const submit = path.startsWith('submit:');
  const target = submit ? path.slice('submit:'.length) : path;
  let response = await page.goto(base + target, { waitUntil: 'load' });
  const problems = [];
  if (submit) {
    const form = page.locator('main form[method="post" i]').first();
    if ((await form.count()) === 0) {
      return [violation('kring-no-form', `no POST form in <main> on ${target}`)];
    }
    const [answer] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      form.evaluate((f) => {
        f.noValidate = true;
        f.requestSubmit();
      }),
    ]);
    response = answer;
  }
  const status = response ? response.status() : 0;
  const landed = new URL(page.url());
  if (submit ? status >= 500 || status === 403 : status !== 200) {
    problems.push(violation('kring-http-status', `${path} answered HTTP ${status}`));
  }
  if (!submit && landed.pathname !== new URL(base + target).pathname) {
    problems.push(
      violation('kring-redirected', `${path} led to ${landed.pathname} (signed out?)`),
    );
  }
  return problems;
}

/** Keyboard basics: skip link first, it works, and focus is visible. */
async function keyboard(page) {
  const problems = [];
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      const shadow = Boolean(style.boxShadow) && style.boxShadow !== 'none';
      const rect = el.getBoundingClientRect();
      const path = [];
      for (let n = el; n && n.nodeType === 1 && path.length < 4; n = n.parentElement) {
        let part = n.localName;
        if (n.id) part += `#${n.id}`;
        else if (n.classList.length) part += `.${[...n.classList].join('.')}`;
        path.unshift(part);
      }
      return {
        target: path.join(' > '),
        text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
        id: el.id,
        visible: outline || shadow,
        onScreen: rect.width > 1 && rect.height > 1,
      };
    });
  const skipLink = page.locator('a[href="#inhoud"]').first();
  // A page that puts focus somewhere itself (an error summary after a failed submit) rightly
  // sends the first Tab onwards from there; only check the first Tab on pages that do not.
  if ((await focused()) === null) {
    await page.keyboard.press('Tab');
    const first = await focused();
    if (!first || first.text !== SKIP_LINK_TEXT) {
      problems.push(
        violation(
          'kring-skip-link-first',
          `the first Tab must focus the skip link "${SKIP_LINK_TEXT}", not ${first ? `"${first.text.slice(0, 40)}"` : 'nothing'}`,
          first ? [first.target] : [],
        ),
      );
    } else if (!first.visible || !first.onScreen) {
      problems.push(
        violation(
          'kring-focus-visible',
          'the focused skip link must be on screen with a visible focus indicator',
          [first.target],
        ),
      );
    }
  }
  if ((await skipLink.count()) === 0) {
    problems.push(violation('kring-skip-link-target', 'no skip link to #inhoud'));
    return problems;
  }
  await skipLink.focus();
  await page.keyboard.press('Enter');
  const afterSkip = await focused();
  if (!afterSkip || afterSkip.id !== 'inhoud') {
    problems.push(
      violation(
        'kring-skip-link-target',
        'activating the skip link must move focus to <main id="inhoud">',
        afterSkip ? [afterSkip.target] : [],
      ),
    );
  }
  // The first tab stops in the content (after skipping) and in the header and navigation; each
  // element is reported once.
  const seen = new Set();
  const stops = async (where) => {
    for (let i = 1; i <= TAB_STOPS; i++) {
      await page.keyboard.press('Tab');
      const stop = await focused();
      if (!stop) break;
      const key = `${stop.target}|${stop.text}`;
      if (!stop.visible && !seen.has(key)) {
        seen.add(key);
        problems.push(
          violation(
            'kring-focus-visible',
            `tab stop ${i} ${where} ("${stop.text.slice(0, 40)}") shows no focus indicator (outline or box-shadow)`,
            [stop.target],
          ),
        );
      }
    }
  };
  if (afterSkip?.id === 'inhoud') await stops('after skipping to the content');
  await skipLink.focus();
  await stops('after the skip link');
  return problems;
}

async function check(context, path) {
  const page = await context.newPage();
  try {
    const problems = await open(page, path);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
      TAGS,
    );
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target),
    }));
    violations.push(...problems, ...(await keyboard(page)));
    const incomplete = result.incomplete.map((v) => v.id);
    return { path, url: page.url(), violations, incomplete };
  } catch (e) {
    return { path, url: page.url(), violations: [violation('kring-error', String(e.message || e))] };
  } finally {
    await page.close();
  }
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
} catch (e) {
  console.error(`cannot start ${CHROMIUM}: ${e.message}`);
  process.exit(2);
}
let failed = false;
try {
  // The app's CSP (script-src 'self') would block the injected axe-core script.
  const context = await browser.newContext({ bypassCSP: true, locale: 'nl-NL' });
  if (cookieHeader) await context.addCookies(cookies(cookieHeader));
  for (const path of paths) {
    const report = await check(context, path);
    if (report.violations.length > 0) failed = true;
    console.log(JSON.stringify(report));
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
