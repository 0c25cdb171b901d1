// OpenEPA's pages in a real browser (headless Chromium driven by
// playwright-core): one journey per role through the demo EPAO, every main
// page checked with axe-core against WCAG 2.0, 2.1 and 2.2 A and AA, markup
// typed into every free-text field coming back as text, a cross-site form
// post refused, and a screenshot of each main page at phone and desktop
// widths under target/screenshots/.
//
// It builds nothing: it runs the `epa` binary already built (EPA_BIN, or
// $CARGO_TARGET_DIR/debug/epa, or target/debug/epa) as `epa serve --demo` on
// a fresh data directory and a free port.
//
// To add a page a role uses, add its path to that role's `pages` below; a
// page reached by following a link goes in `visit` as a step.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
const EPA = process.env.EPA_BIN || path.join(targetDir, 'debug', 'epa');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = path.join(repo, 'target', 'screenshots');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const WIDTHS = [
  { name: 'phone', width: 375, height: 812 },
  { name: 'desktop', width: 1280, height: 900 },
];
const PASSWORD = 'demo';

// Markup typed into a field must come back as the same text, never as markup.
const XSS = `"'><b data-xss="1">bold</b><img data-xss="1" src="x"><script>window.__xss = 1</script>`;

// ---------------------------------------------------------------------------
// The roles. `home` is where `/` takes them after signing in; `pages` are
// their main pages, each checked and photographed; `epa` how they reach an
// EPA's page; `act` the one real thing they do.

const ROLES = [
  {
    name: 'EPAO administrator',
    email: 'epao-admin@demo.test',
    home: '/dashboard',
    pages: [
      '/dashboard',
      '/epas',
      '/people',
      '/people/invite',
      '/plans',
      '/plans/ST0071/1.2/tquk',
      '/plans/ST0071/1.2/innovate',
      '/plans/ST0071/1.2/differences',
    ],
    epa: firstApprentice,
    act: inviteAPerson,
  },
  {
    name: 'EPAO operations',
    email: 'operations@demo.test',
    home: '/dashboard',
    pages: [
      '/dashboard', '/epas', '/epas/new', '/epas/import', '/gateway', '/results', '/certificates',
      '/schedule', '/dfe', '/exports', '/account', '/plans',
    ],
    epa: firstApprentice,
    act: searchForAnApprentice,
  },
  {
    name: 'assessor',
    email: 'assessor@demo.test',
    home: '/assessor',
    pages: ['/assessor', '/account', '/plans'],
    epa: firstAllocated,
    act: judgeACriterion,
  },
  {
    name: 'quality assurer',
    email: 'qa@demo.test',
    home: '/dashboard',
    pages: ['/dashboard', '/epas'],
    epa: firstApprentice,
    act: readTheRules,
  },
  {
    name: 'training provider',
    email: 'provider@demo.test',
    home: '/epas',
    pages: ['/epas', '/epas/new', '/epas/import', '/exports', '/account'],
    epa: firstApprentice,
    act: registerAnApprentice,
  },
  {
    name: 'employer',
    email: 'employer@demo.test',
    home: '/epas',
    pages: ['/epas'],
    epa: firstApprentice,
    act: searchForAnApprentice,
  },
  {
    name: 'apprentice',
    email: 'apprentice@demo.test',
    home: /^\/epas\/[0-9a-f-]{36}$/,
    pages: ['/plans'],
    epa: async (page) => page.url(),
    act: readMyPlanAndUploadMyReport,
  },
];

// ---------------------------------------------------------------------------
// The server and the browser.

let server;
let serverLog = '';
let base;
let dataDir;
let browser;

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitForReady(url, deadline) {
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`epa serve stopped (exit ${server.exitCode}):\n${serverLog}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`epa serve was not ready in time:\n${serverLog}`);
}

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'openepa-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    EPA,
    ['serve', '--demo', '--data-dir', dataDir, '--bind', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  server.stdout.on('data', (chunk) => { serverLog += chunk; });
  server.stderr.on('data', (chunk) => { serverLog += chunk; });
  await waitForReady(base, Date.now() + 180_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Checks every page gets.

function slug(text) {
  return text.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'home';
}

/** No WCAG A or AA violation that axe-core can find. */
async function accessible(page, where) {
  await page.evaluate(AXE);
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    WCAG,
  );
  assert.ok(results.passes.length > 10, `axe-core ran its rules on ${where}`);
  const found = results.violations.map((violation) =>
    `${violation.id} (${violation.impact}): ${violation.help}\n` +
    violation.nodes.slice(0, 5).map((node) => `    ${node.target.join(' ')}: ${node.failureSummary}`).join('\n'));
  assert.deepEqual(found, [], `accessibility problems on ${where}`);
}

/** A whole document: one main, a title that says where, a skip link. */
async function wellFormed(page, where) {
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', where);
  assert.equal(await page.locator('main').count(), 1, `one <main> on ${where}`);
  assert.match(await page.title(), / – OpenEPA$/, where);
  assert.equal(await page.locator('a.skip-link[href="#main"]').count(), 1, `skip link on ${where}`);
}

/** The page at phone and desktop widths, whole. */
async function photograph(page, name) {
  const original = page.viewportSize();
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}--${size.name}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Markup typed into every free-text field of every form on the page
 * comes back as text: nothing it contains becomes an element or runs. */
async function markupStaysText(page, where) {
  const url = page.url();
  const forms = await page.locator('main form').count();
  for (let n = 0; n < forms; n++) {
    await page.goto(url);
    const form = page.locator('main form').nth(n);
    const fields = form.locator(
      'input[type=text], input[type=search], input[type=email], input:not([type]), textarea',
    );
    const count = await fields.count();
    if (count === 0) continue;
    const action = await form.getAttribute('action');
    for (let i = 0; i < count; i++) await fields.nth(i).fill(XSS);
    await submit(page, form.locator('button[type=submit]').first());
    const found = await page.evaluate((xss) => ({
      injected: document.querySelectorAll('[data-xss]').length,
      ran: window.__xss === 1,
      asText: document.body.innerText.includes(xss) ||
        [...document.querySelectorAll('input, textarea')].some((field) => field.value === xss),
    }), XSS);
    assert.equal(found.injected, 0, `markup became elements after ${action} on ${where}`);
    assert.equal(found.ran, false, `a script ran after ${action} on ${where}`);
    assert.ok(found.asText, `what was typed into ${action} on ${where} came back as text`);
  }
  await page.goto(url);
}

/** Every check a main page gets. */
async function checkPage(page, role, where) {
  await wellFormed(page, where);
  await accessible(page, where);
  await photograph(page, `${slug(role.name)}--${slug(where)}`);
}

/** Clicks a form's button and waits for the page it leads to. */
async function submit(page, button) {
  const target = typeof button === 'string' ? page.locator(button) : button;
  await Promise.all([page.waitForNavigation(), target.click()]);
}

async function open(page, where) {
  const response = await page.goto(`${base}${where}`);
  assert.equal(response.status(), 200, `GET ${where}: ${await page.title()}`);
}

// ---------------------------------------------------------------------------
// How each role reaches an EPA, and the one thing each does.

async function firstApprentice(page) {
  await open(page, '/epas');
  const link = page.locator('main table a[href^="/epas/"]').first();
  await link.click();
  await page.waitForURL(/\/epas\/[0-9a-f-]{36}$/);
  return page.url();
}

async function firstAllocated(page) {
  await open(page, '/assessor');
  await page.locator('main a[href^="/epas/"]').first().click();
  await page.waitForURL(/\/epas\/[0-9a-f-]{36}$/);
  return page.url();
}

async function inviteAPerson(page) {
  await open(page, '/people/invite');
  // A bad form keeps what was typed and says what is wrong at the field.
  await page.fill('#name', 'Robin Example');
  await page.fill('#email', 'not an email');
  await page.selectOption('#organisation_id', { index: 1 });
  await page.selectOption('#role', 'quality_assurer');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('.error-summary').innerText(), /email/i);
  assert.equal(await page.inputValue('#name'), 'Robin Example');
  await page.fill('#email', 'robin.example@demo.test');
  const epao = await page.locator('#organisation_id option', { hasText: '(EPAO)' }).first().getAttribute('value');
  await page.selectOption('#organisation_id', epao);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/people\?done=invited$/);
  await page.fill('#search', 'robin.example');
  await submit(page, 'main form[role=search] button');
  assert.match(await page.locator('main table').first().innerText(), /Robin Example[\s\S]*Invited/);
  // Switched off after a confirmation page, then on again.
  await submit(page, page.getByRole('link', { name: 'Deactivate Robin Example' }));
  await checkPage(page, { name: 'EPAO administrator' }, '/people/deactivate');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('#reason-error').innerText(), /Say why/);
  await page.fill('#reason', 'Invited by mistake');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('main [role=status]').innerText(), /deactivated/);
  await page.fill('#search', 'robin.example');
  await submit(page, 'main form[role=search] button');
  assert.match(await page.locator('main table').first().innerText(), /Deactivated/);
  await submit(page, page.getByRole('link', { name: 'Reactivate Robin Example' }));
  await page.fill('#reason', 'Needed after all');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('main [role=status]').innerText(), /reactivated/);
}

async function searchForAnApprentice(page) {
  await open(page, '/epas');
  const name = (await page.locator('main table tbody tr td a').first().innerText()).trim();
  const family = name.split(' ').pop();
  await page.fill('#search', family);
  await submit(page, 'main form[role=search] button');
  assert.match(await page.locator('main table').innerText(), new RegExp(family));
}

async function readTheRules(page) {
  await open(page, '/plans');
  await page.getByRole('link', { name: 'Where the EPAOs differ' }).first().click();
  await page.waitForURL(/differences$/);
  assert.match(await page.locator('main').innerText(), /Source:/);
}

async function registerAnApprentice(page) {
  await open(page, '/epas/new');
  const uln = await page.evaluate(() => {
    // A ULN with its check digit (10 digits; the last checks the first nine).
    const first = String(100000000 + Math.floor(Math.random() * 800000000));
    const sum = [...first].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
    const check = 10 - (sum % 11);
    return check === 10 ? null : first + String(check % 10);
  });
  if (uln === null) return registerAnApprentice(page);
  await page.fill('#uln', uln);
  await page.fill('#given_names', XSS);
  await page.fill('#family_name', 'Markup-Test');
  await page.fill('#date_of_birth', '2004-05-06');
  await page.selectOption('#employer_id', { index: 1 });
  await page.selectOption('#policy', 'tquk');
  await page.fill('#start_date', '2025-09-01');
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/epas\/[0-9a-f-]{36}\?done=registered$/);
  // The name typed with markup is the page's heading, as text.
  assert.equal((await page.locator('h1').innerText()).trim(), `${XSS} Markup-Test`);
  assert.equal(await page.locator('[data-xss]').count(), 0);
  await uploadAReport(page);
}

async function judgeACriterion(page) {
  await open(page, '/assessor');
  const epas = await page.locator('main a[href^="/epas/"]').evaluateAll(
    (links) => [...new Set(links.map((link) => link.getAttribute('href')))],
  );
  for (const epa of epas) {
    await open(page, epa);
    const grading = await page.locator('main a[href*="/assessments/"]').evaluateAll(
      (links) => links.map((link) => link.getAttribute('href')),
    );
    for (const sheet of grading) {
      await open(page, sheet);
      if ((await page.locator('main form button[type=submit]').count()) === 0) continue;
      const first = page.locator('main fieldset.criterion').first();
      await first.locator('input[value=met]').check();
      const note = `Seen during the sitting ${Date.now()}`;
      await first.locator('textarea').fill(note);
      await page.click('main form button[type=submit]');
      await page.waitForURL(/\?saved=\d+$/);
      assert.equal(await page.locator('main fieldset.criterion').first().locator('textarea').inputValue(), note);
      await checkPage(page, { name: 'assessor' }, '/grading');
      await markupStaysText(page, '/grading');
      return;
    }
  }
  assert.fail('no open grading sheet among the assessor\'s EPAs');
}

async function uploadAReport(page, role = { name: 'training provider' }) {
  await page.getByRole('link', { name: 'Upload a document' }).click();
  await page.waitForURL(/\/upload$/);
  await checkPage(page, role, '/upload');
  // No file chosen: the error is at the field and the choice is kept.
  await page.selectOption('#purpose', 'report');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('#file-error').innerText(), /Choose the file/);
  assert.equal(await page.inputValue('#purpose'), 'report');
  const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
  await page.setInputFiles('#file', {
    name: 'report.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(`My project report\n\n${words}\n`),
  });
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/upload\?uploaded=/);
  const arrived = await page.locator('main [role=status]').innerText();
  assert.match(arrived, /report\.txt/);
  assert.match(arrived, /30\d words/);
  assert.match(arrived, /shorter than/, 'a 300-word report is under every limit');
  await checkPage(page, role, '/upload-received');
}

async function readMyPlanAndUploadMyReport(page) {
  const epao = (await page.locator('.summary div', { hasText: 'End-point assessment organisation' }).locator('dd').innerText()).trim();
  await page.getByRole('link', { name: 'The standard' }).click();
  await page.getByRole('link', { name: `The plan as ${epao} runs it` }).click();
  await page.waitForURL(/\/plans\/ST0071\/1\.2\/[a-z]+$/);
  assert.match(await page.locator('h1').innerText(), new RegExp(`as ${epao} runs it`));
  // Then, from their EPA's page, they upload their own project report.
  await page.goto(`${base}/`);
  await page.waitForURL(/\/epas\/[0-9a-f-]{36}$/);
  await uploadAReport(page, { name: 'apprentice' });
}

// ---------------------------------------------------------------------------
// The journeys.

async function signIn(page, role) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await page.fill('#email', role.email);
  await page.fill('#password', PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL((url) =>
    typeof role.home === 'string' ? url.pathname === role.home : role.home.test(url.pathname));
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await page.goto(`${base}/dashboard`);
  assert.match(new URL(page.url()).pathname, /^\/login$/, 'signed out');
}

test('the sign-in page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, '/login');
  await checkPage(page, { name: 'visitor' }, '/login');
  await markupStaysText(page, '/login');
  // A wrong password says the same as an unknown email, at the form.
  await page.fill('#email', 'operations@demo.test');
  await page.fill('#password', 'not the password');
  await submit(page, 'main button[type=submit]');
  assert.match(await page.locator('.error-summary').innerText(), /email address or password is not right/);
  await accessible(page, '/login with an error');
  await context.close();
});

for (const role of ROLES) {
  test(`the ${role.name}'s journey`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await signIn(page, role);
    for (const where of role.pages) {
      await open(page, where);
      await checkPage(page, role, where);
      await markupStaysText(page, where);
    }
    await page.goto(`${base}/`);
    const epa = await role.epa(page);
    await page.goto(epa);
    await checkPage(page, role, '/epa');
    await role.act(page);
    await signOut(page);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('a form posted from another site is refused', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ROLES[1]);
  const token = await page.locator('form.sign-out input[name=csrf]').inputValue();
  // Another site (localhost is not 127.0.0.1) holding a copy of the real
  // token: only the browser's word on where the post came from stops it.
  const attacker = createServer((_, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html><html lang="en"><title>Elsewhere</title>
      <form method="post" action="${base}/logout"><input type="hidden" name="csrf" value="${token}">
      <button type="submit">Win a prize</button></form></html>`);
  });
  await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  try {
    await page.goto(`http://localhost:${attacker.address().port}/`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/logout`),
      page.click('button'),
    ]);
    assert.equal(response.status(), 403);
    assert.match(await page.locator('h1').innerText(), /That form could not be accepted/);
    await open(page, '/dashboard');
    assert.equal(new URL(page.url()).pathname, '/dashboard', 'still signed in');
  } finally {
    attacker.close();
    await context.close();
  }
});
