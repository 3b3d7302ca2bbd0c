// `npm test`: type check, unit and integration suites, a build, the SQLite crash test, then the
// browser suite when Chromium exists.
// CI sets REQUIRE_E2E=1 so a missing browser fails instead of skipping.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

run("type check", "npx", ["tsc", "--noEmit"]);
run("unit and integration tests (SQLite)", "npx", ["vitest", "run", "--project", "unit", "--project", "integration"], {
  TEST_DATABASE_URL: "",
});

run("build (the operations and browser suites drive the built server)", "npm", ["run", "build"]);
// The built server as a process on SQLite: lock waits, shutdown, kill -9 mid-stream and replay.
// The PostgreSQL half (outages, crash, two instances) runs in CI (.ci/run) or with
// `npm run test:ops` and TEST_DATABASE_URL; without it those tests skip with a loud notice.
run("operations suite (SQLite)", "npx", ["vitest", "run", "--project", "ops"], { TEST_DATABASE_URL: "" });

if (!existsSync(chromium)) {
  const banner = "!".repeat(78);
  const message = `${banner}\n!!  BROWSER SUITE SKIPPED: no Chromium at ${chromium}.\n!!  Install it with: apt-get install -y chromium   (CI does, and fails without it)\n${banner}`;
  if (process.env.REQUIRE_E2E === "1") {
    console.error(message.replace("SKIPPED", "REQUIRED BUT MISSING"));
    process.exit(1);
  }
  console.warn(`\n${message}\n`);
} else {
  run("browser suite (Chromium)", "npx", ["vitest", "run", "--project", "e2e"]);
}
console.log("\n✔ all test suites passed");
