/**
 * A full-page PNG of an HTML report, for the README and for looking at a report the way a reader
 * does: Debian's chromium (never a downloaded browser) through playwright-core, network blocked.
 *
 *   npm run screenshot -- <report.html> <out.png> [width=1280] [max-height]
 */
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const [file, out, width = "1280", maxHeight] = process.argv.slice(2);
if (!file || !out) {
  console.error("usage: npm run screenshot -- <report.html> <out.png> [width] [max-height]");
  process.exit(2);
}
const path = resolve(file);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: Number(width), height: 900 } });
  // Local files only (a published site's pages load its shared library file); the network is blocked.
  await context.route("**/*", (route) =>
    route.request().url().startsWith("file://") ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.error(`${m.type()}: ${m.text()}`);
  });
  await page.goto(`file://${path}`);
  const charts = await page.locator(".vega").count();
  await page.waitForFunction(`document.querySelectorAll(".vega svg").length === ${charts}`);
  const height = await page.evaluate<number>("document.documentElement.scrollHeight");
  const clip = { x: 0, y: 0, width: Number(width), height: Math.min(height, Number(maxHeight ?? height)) };
  await page.screenshot({ path: out, fullPage: true, clip });
  console.error(`${out}: ${charts} charts`);
} finally {
  await browser.close();
}
