/**
 * Opening a report the way a reader does, for the browser tests: Debian's `chromium` (never a
 * downloaded browser) through playwright-core, the page from file:// with every other request
 * blocked and recorded. Where /usr/bin/chromium is absent the tests skip with a message, except
 * under CI (.ci/run installs it), where that fails.
 */
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumPresent = existsSync(CHROMIUM);

if (!chromiumPresent) {
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
  console.warn(`skipping the HTML report's browser tests: ${CHROMIUM} is absent (apt-get install chromium)`);
}

/**
 * What opening `file` showed: the page's console, requests, dialogs and each chart's marks;
 * `interact` runs on the page before it closes; `screenshot`: a full-page PNG is written there.
 */
export async function openReport(
  browser: Browser,
  file: string,
  interact?: (page: Page) => Promise<void>,
  screenshot?: string,
  /** Local files under this folder may load too (a site's shared library); anything else is blocked. */
  filesUnder?: string,
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === `file://${file}` || (filesUnder !== undefined && url.startsWith(`file://${filesUnder}/`))) {
      return route.continue();
    }
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  const charts = await page.locator(".vega").count();
  await page.waitForFunction(`document.querySelectorAll(".vega svg").length === ${charts}`, undefined, {
    timeout: 15_000,
  });
  const marks = await page.$$eval(".vega", (elements) =>
    elements.map((e) => ({
      id: e.id,
      marks: e.querySelectorAll("svg g[class*='mark-'] path, svg g[class*='mark-'] line").length,
    })),
  );
  // What is shown (rendered text), not the text of the scripts.
  // biome-ignore lint/performance/useDomNodeTextContent: playwright's locator, not a DOM node
  const text = await page.locator("body").innerText();
  const images = await page.locator("img").count();
  await interact?.(page);
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await context.close();
  return { charts, marks, console, requests, dialogs, text, images };
}
