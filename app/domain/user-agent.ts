// Naming a browser and system from a user agent, for the sessions page.
/** "Firefox on Windows", from a user agent, for the sessions page. Unknown parts stay unknown. */
export function describeUserAgent(userAgent: string | null): { browser: string | null; os: string | null } {
  if (!userAgent) return { browser: null, os: null };
  const browsers: Array<[RegExp, string]> = [
    [/Edg\//, "Edge"],
    [/OPR\//, "Opera"],
    [/Firefox\//, "Firefox"],
    [/(Chrome|Chromium|CriOS)\//, "Chrome"],
    [/Version\/[\d.]+.*Safari\//, "Safari"],
    [/^curl\//, "curl"],
  ];
  const systems: Array<[RegExp, string]> = [
    [/Android/, "Android"],
    [/(iPhone|iPad|iPod)/, "iOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/CrOS/, "ChromeOS"],
    [/Linux/, "Linux"],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  const os = systems.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  return { browser, os };
}
