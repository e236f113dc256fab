import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

/** The browser to drive: PUPPETEER_EXECUTABLE_PATH, else a system Chromium; never a download. */
export function findChromium(): string {
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PUPPETEER_EXECUTABLE_PATH is set to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new Error(
    `No Chromium found (looked at ${CANDIDATES.join(', ')}). Install it with ` +
      '`apt-get update && apt-get install -y chromium` (Debian/Ubuntu), or set PUPPETEER_EXECUTABLE_PATH ' +
      'to a Chrome or Chromium binary.',
  );
}

/** Headless Chromium with WebGPU on (a software adapter when there is no GPU) and its background services off. */
export async function launchBrowser(): Promise<Browser> {
  const args = [
    '--enable-unsafe-webgpu',
    '--enable-webgpu-developer-features',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--no-first-run',
    '--no-default-browser-check',
  ];
  // Chromium refuses to run as root with its sandbox on (CI runs as root).
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // Benchmark cases on a software adapter can run for minutes inside one page call.
  return puppeteer.launch({ executablePath: findChromium(), headless: true, args, protocolTimeout: 30 * 60_000 });
}

/**
 * Opens `url` in a new tab and waits until the page defines `window[ready]`; if it does not,
 * fails with the page's own errors (a module that threw at load says why here).
 */
export async function openPage(browser: Browser, url: string, ready: string, timeout = 60_000): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  try {
    await page.waitForFunction(`window[${JSON.stringify(ready)}] !== undefined`, { timeout });
  } catch (error) {
    throw new Error(`${url} did not start: ${errors.join('; ') || String(error)}`);
  }
  return page;
}

/** Calls `window[global][fn](...args)` in the page (args and result cross as JSON). */
export async function callPage<T>(page: Page, global: string, fn: string, ...args: unknown[]): Promise<T> {
  return (await page.evaluate(
    (g, f, a) => (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)[g]![f]!(...a),
    global,
    fn,
    args,
  )) as T;
}
