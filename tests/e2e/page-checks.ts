// What every page must be, whoever looks at it and however wide the screen: nothing wider than its
// box (not even inside a scroll container), one h1 and no skipped heading level, no console error.
import type { ConsoleMessage, Page } from "playwright-core";

/**
 * Runs in the page: every place where content is wider than the box that holds it. On a phone
 * (`narrow`), a table wide by nature may scroll inside its `.table-scroll` box, which shows that
 * it scrolls; at desktop widths nothing may.
 */
function findOverflow(narrow: boolean): string[] {
  const problems: string[] = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px viewport`);

  const skipped = new Set(["INPUT", "TEXTAREA", "SELECT", "OPTION", "SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "BR"]);
  const describe = (element: Element) => {
    const id = element.id ? `#${element.id}` : "";
    const classes = typeof element.className === "string" && element.className.trim() ? `.${element.className.trim().split(/\s+/).join(".")}` : "";
    const testId = element.getAttribute("data-testid") ? `[data-testid=${element.getAttribute("data-testid")}]` : "";
    const text = (element.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
    return `<${element.tagName.toLowerCase()}${id}${classes}${testId}> "${text}"`;
  };
  const offenders: Element[] = [];
  for (const element of Array.from(document.body.querySelectorAll("*"))) {
    if (skipped.has(element.tagName) || element.closest("svg") || !(element instanceof HTMLElement)) continue;
    const style = getComputedStyle(element);
    if (style.display === "inline" || style.display === "contents" || style.display === "none") continue;
    // Screen-reader-only text is clipped to a pixel on purpose.
    if (element.clientWidth <= 1 || (style.position === "absolute" && style.clip !== "auto")) continue;
    if (narrow && element.classList.contains("table-scroll") && style.overflowX === "auto") continue;
    if (element.scrollWidth > element.clientWidth + 1) offenders.push(element);
  }
  // An overflow shows on every ancestor that does not clip it: name only the innermost box.
  for (const element of offenders) {
    if (offenders.some((other) => other !== element && element.contains(other))) continue;
    const style = getComputedStyle(element);
    const clipped = style.overflowX !== "visible";
    problems.push(
      `${describe(element)} holds ${element.scrollWidth}px of content in ${element.clientWidth}px${clipped ? ` (hidden: overflow-x ${style.overflowX})` : ""}`,
    );
  }
  return problems;
}

/** Runs in the page: one h1, headings in order without a skipped level. */
function findHeadingProblems(): string[] {
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"));
  const problems: string[] = [];
  const h1s = headings.filter((heading) => heading.tagName === "H1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements (one expected)`);
  let previous = 0;
  for (const heading of headings) {
    const level = Number(heading.tagName[1]);
    if (level > previous + 1) {
      problems.push(`h${level} "${(heading.textContent ?? "").trim().slice(0, 50)}" follows ${previous ? `h${previous}` : "no heading"}`);
    }
    previous = level;
  }
  return problems;
}

/**
 * Runs in the page: links named for where they go. Two visible links with one accessible name
 * ("Open", "View", a claim's status) that lead to different places are ambiguous to a screen-reader
 * user who lists the page's links.
 */
function findAmbiguousLinks(): string[] {
  const destinations = new Map<string, Set<string>>();
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>("a[href]"))) {
    if (link.closest("[hidden], [aria-hidden=true]") || link.getClientRects().length === 0) continue;
    const labelledBy = link.getAttribute("aria-labelledby");
    const fromIds = labelledBy ? labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ") : "";
    const name = (link.getAttribute("aria-label") || fromIds || link.textContent || "").replace(/\s+/g, " ").trim().toLowerCase();
    const url = new URL(link.href, location.href);
    const where = `${url.origin}${url.pathname}${url.search}`;
    if (!destinations.has(name)) destinations.set(name, new Set());
    destinations.get(name)!.add(where);
  }
  const problems: string[] = [];
  for (const [name, places] of destinations) {
    if (places.size > 1) problems.push(`${places.size} links named "${name.slice(0, 40)}" lead to different places`);
  }
  return problems;
}

/** Everything wrong with the page as it is laid out now (overflow at this width, heading order). */
export async function layoutProblems(page: Page): Promise<string[]> {
  const narrow = (page.viewportSize()?.width ?? 1280) <= 720;
  return [...(await page.evaluate(findOverflow, narrow)), ...(await page.evaluate(findHeadingProblems))];
}

/** Width-independent problems: ambiguous link names. */
export async function linkProblems(page: Page): Promise<string[]> {
  return page.evaluate(findAmbiguousLinks);
}

/**
 * Collects console errors and uncaught exceptions of `page`. `expected` lets a page's own
 * intended failure through (a 404 page's document answering 404).
 */
export function watchConsole(page: Page) {
  const errors: string[] = [];
  let allowed: (message: ConsoleMessage) => boolean = () => false;
  page.on("console", (message) => {
    if (message.type() === "error" && !allowed(message)) errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return {
    /** Errors since the last call. */
    take(): string[] {
      return errors.splice(0, errors.length);
    },
    allow(predicate: (message: ConsoleMessage) => boolean) {
      allowed = predicate;
    },
  };
}

/**
 * Waits until the page is hydrated and quiet, so hydration errors have been reported. A page that
 * ships no JavaScript on purpose (the log-in page) has no Remix context and is only waited for.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const remix = window as unknown as { __remixContext?: unknown; __remixRouter?: { state: { navigation: { state: string } } } };
    return remix.__remixContext === undefined || remix.__remixRouter?.state.navigation.state === "idle";
  });
  await page.waitForLoadState("networkidle");
}
