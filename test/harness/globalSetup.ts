import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { launchBrowser } from '../../tools/browser.js';
import { serveStatic } from '../../tools/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browserWSEndpoint: string;
    baseUrl: string;
  }
}

/** One static server and one headless Chromium for the whole run; test files connect to it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const server = await serveStatic(root);
  const browser = await launchBrowser();
  project.provide('browserWSEndpoint', browser.wsEndpoint());
  project.provide('baseUrl', server.url);
  return async () => {
    await browser.close();
    await server.close();
  };
}
