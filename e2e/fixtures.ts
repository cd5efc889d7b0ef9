// What every spec shares: API requests that carry the spec's login (cookies and the CSRF header a
// browser page would send), a check that no page broke the Content Security Policy, and pages
// logged in as another user through the /login page.
import { readFileSync } from 'node:fs';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { Role } from '../server/auth/roles';
import { CSRF_COOKIE, CSRF_HEADER } from '../server/auth/web-names';
import { logIn } from './users';

type StorageState = { cookies: { name: string; value: string }[] };

interface Fixtures {
  /** Watches a context's console for CSP violations; the default context is watched already. */
  csp: { watch(context: BrowserContext): void };
  /** A page in a fresh context, logged in as `role` through the /login page. */
  loginAs: (role: Role) => Promise<Page>;
}

export const test = base.extend<Fixtures>({
  request: async ({ playwright, baseURL, storageState }, use) => {
    const state = (typeof storageState === 'string' ? JSON.parse(readFileSync(storageState, 'utf8')) : storageState) as StorageState | undefined;
    const csrf = state?.cookies.find((c) => c.name === CSRF_COOKIE)?.value;
    const api = await playwright.request.newContext({ baseURL, storageState, extraHTTPHeaders: csrf ? { [CSRF_HEADER]: csrf } : {} });
    await use(api);
    await api.dispose();
  },
  csp: [
    async ({ context }, use) => {
      const violations: string[] = [];
      const watch = (ctx: BrowserContext) =>
        ctx.on('console', (message) => {
          if (message.text().includes('Content Security Policy')) violations.push(`${message.location().url}: ${message.text()}`);
        });
      watch(context);
      await use({ watch });
      expect(violations, 'Content Security Policy violations').toEqual([]);
    },
    { auto: true },
  ],
  loginAs: async ({ browser, baseURL, csp }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (role) => {
      const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
      contexts.push(context);
      csp.watch(context);
      const page = await context.newPage();
      await page.goto('/login');
      await logIn(page, role);
      await page.waitForURL((url) => url.pathname === '/');
      return page;
    });
    for (const context of contexts) await context.close();
  },
});

export { expect, logIn };
