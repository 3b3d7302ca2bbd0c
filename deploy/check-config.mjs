// Structural checks of deploy/Dockerfile, deploy/compose.yaml and deploy/Caddyfile for a machine
// without a Docker engine (deploy/verify.sh runs this first). It cannot prove the image builds;
// verify.sh performs the image's steps itself. Uses `yaml` (installed with the dev dependencies).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const deployDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(deployDir, "..");
const problems = [];
const check = (condition, message) => {
  if (!condition) problems.push(message);
};

// --- Dockerfile ---------------------------------------------------------------------------
const dockerfile = readFileSync(join(deployDir, "Dockerfile"), "utf8")
  .replace(/\\\r?\n/g, " ")
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));
const args = new Map();
const stages = [];
for (const line of dockerfile) {
  const [instruction = "", ...rest] = line.split(/\s+/);
  const text = rest.join(" ");
  const keyword = instruction.toUpperCase();
  if (keyword === "ARG" && stages.length === 0) {
    const [name, value = ""] = text.split("=");
    args.set(name, value);
  } else if (keyword === "FROM") {
    const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text);
    const image = (match?.[1] ?? "").replace(/^\$\{(\w+)\}$/, (_, name) => args.get(name) ?? "");
    stages.push({ name: match?.[2] ?? String(stages.length), image, steps: [] });
  } else if (stages.length > 0) {
    stages.at(-1).steps.push({ keyword, text });
  }
}
const stageNames = new Set(stages.map((stage) => stage.name));
const runs = (stage) => stage.steps.filter((step) => step.keyword === "RUN").map((step) => step.text);
const runtime = stages.at(-1);
check(stages.length >= 2, "Dockerfile: expected a multi-stage build");
for (const stage of stages) {
  if (!stageNames.has(stage.image)) check(/^node:20[.-]/.test(stage.image), `Dockerfile: stage ${stage.name} starts from ${stage.image}, not Node 20`);
}
check(!/npm (ci|install)\b/.test(runs(runtime).join("\n")), "Dockerfile: the runtime stage must not install packages itself");
const allRuns = stages.flatMap(runs).join("\n");
check(/npm ci\b/.test(allRuns), "Dockerfile: no `npm ci`");
check(/npm run build\b/.test(allRuns), "Dockerfile: no `npm run build`");
check(/npm prune --omit=dev\b/.test(allRuns), "Dockerfile: no `npm prune --omit=dev`");
const user = runtime?.steps.filter((step) => step.keyword === "USER").at(-1)?.text;
check(user && !/^(root|0)(:|$)/.test(user), `Dockerfile: the final stage runs as ${user ?? "root"} (needs a non-root USER)`);
const healthcheck = runtime?.steps.find((step) => step.keyword === "HEALTHCHECK")?.text ?? "";
check(healthcheck.includes("/healthz"), "Dockerfile: the final stage needs a HEALTHCHECK on /healthz");
const cmd = runtime?.steps.filter((step) => step.keyword === "CMD").at(-1)?.text ?? "";
check(/build\/index\.js/.test(cmd), "Dockerfile: CMD should start build/index.js");
for (const stage of stages) {
  for (const step of stage.steps.filter((candidate) => candidate.keyword === "COPY" && !/--from=/.test(candidate.text))) {
    const sources = step.text.split(/\s+/).filter((word) => !word.startsWith("--")).slice(0, -1);
    for (const source of sources) check(existsSync(join(root, source)), `Dockerfile: COPY source ${source} does not exist`);
  }
  for (const step of stage.steps.filter((candidate) => candidate.keyword === "COPY" && /--from=/.test(candidate.text))) {
    const from = /--from=(\S+)/.exec(step.text)[1];
    check(stageNames.has(from), `Dockerfile: COPY --from=${from} names no stage`);
  }
}

// --- compose.yaml -------------------------------------------------------------------------
const composeText = readFileSync(join(deployDir, "compose.yaml"), "utf8");
const compose = parse(composeText, { merge: true });
const services = compose?.services ?? {};
check(services.postgres?.image?.startsWith("postgres:"), "compose: a postgres service is needed");
check(services.postgres?.healthcheck, "compose: postgres needs a healthcheck (the portals wait for it)");
const runsProxy = (service) => JSON.stringify(service.command ?? "").includes("build/proxy/index.js");
const portals = Object.entries(services).filter(([, service]) => service.build?.target === "runtime" && !runsProxy(service));
const meteringProxies = Object.entries(services).filter(([, service]) => runsProxy(service));
check(portals.length === 2, `compose: expected two portal instances, found ${portals.length}`);
for (const [name, service] of Object.entries(services)) {
  if (service.build) {
    const context = resolve(deployDir, service.build.context ?? ".");
    check(existsSync(join(context, service.build.dockerfile ?? "Dockerfile")), `compose: ${name}'s Dockerfile is not found from its context`);
    check(!service.build.target || stageNames.has(service.build.target), `compose: ${name} builds target ${service.build.target}, not a stage`);
  }
  for (const dependency of Object.keys(service.depends_on ?? {})) check(dependency in services, `compose: ${name} depends on unknown ${dependency}`);
  for (const volume of service.volumes ?? []) {
    const source = String(volume).split(":")[0];
    if (source.startsWith(".")) check(existsSync(resolve(deployDir, source)), `compose: ${name} mounts missing ${source}`);
    else check(source in (compose.volumes ?? {}), `compose: ${name} uses undeclared volume ${source}`);
  }
}
for (const [name, service] of portals) {
  const env = service.environment ?? {};
  check(/^postgres:\/\/[^@]+@postgres:5432\//.test(env.DATABASE_URL ?? ""), `compose: ${name} must use the postgres service`);
  check(env.NODE_ENV === "production" && env.APP_SECRET && /^[1-9][0-9]*$/.test(String(env.TRUST_PROXY)), `compose: ${name} needs NODE_ENV=production, APP_SECRET and TRUST_PROXY (a hop count) behind the proxy`);
  check(!service.ports, `compose: ${name} must not publish ports (only the proxy does)`);
  check(service.depends_on?.postgres?.condition === "service_healthy", `compose: ${name} should wait for a healthy postgres`);
}
check(meteringProxies.length === 1, `compose: expected one metering proxy service (build/proxy/index.js), found ${meteringProxies.length}`);
for (const [name, service] of meteringProxies) {
  const env = service.environment ?? {};
  check(service.build?.target === "runtime", `compose: ${name} should run the runtime image`);
  check(/^postgres:\/\/[^@]+@postgres:5432\//.test(env.DATABASE_URL ?? ""), `compose: ${name} must meter on the portals' database`);
  check(env.NODE_ENV === "production" && env.APP_SECRET && env.UPSTREAM_BASE_URL !== undefined && env.UPSTREAM_API_KEY !== undefined, `compose: ${name} needs NODE_ENV=production, APP_SECRET, UPSTREAM_BASE_URL and UPSTREAM_API_KEY`);
  check(String(env.PORT) === String(env.PROXY_PORT), `compose: ${name}'s PORT (the HEALTHCHECK's) must be its PROXY_PORT`);
  check(!service.ports, `compose: ${name} must not publish ports (Caddy sends /v1/* to it)`);
  check(portals.some(([portal]) => service.depends_on?.[portal]?.condition === "service_healthy"), `compose: ${name} should wait for a healthy portal (it migrates the database)`);
}
const proxy = Object.entries(services).find(([, service]) => (service.ports ?? []).length > 0);
check(proxy, "compose: a reverse proxy publishing ports is needed");
const variables = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((match) => match[1]));
const example = readFileSync(join(deployDir, "ferry.env.example"), "utf8");
for (const variable of variables) check(new RegExp(`^${variable}=`, "m").test(example), `compose: ${variable} is missing from ferry.env.example`);

// --- Caddyfile ----------------------------------------------------------------------------
const caddyfile = readFileSync(join(deployDir, "Caddyfile"), "utf8");
const upstreams = [...caddyfile.matchAll(/reverse_proxy\s+([^{\n]+)/g)].flatMap((match) => match[1].trim().split(/\s+/));
for (const [name] of portals) check(upstreams.includes(`${name}:3000`), `Caddyfile: ${name}:3000 is not an upstream`);
check(/health_uri\s+\/healthz/.test(caddyfile), "Caddyfile: health_uri /healthz expected");
for (const [name, service] of meteringProxies) {
  check(upstreams.includes(`${name}:${service.environment?.PROXY_PORT}`), `Caddyfile: ${name}:${service.environment?.PROXY_PORT} is not an upstream`);
  check(/handle\s+\/v1\/\*/.test(caddyfile) && /flush_interval\s+-1/.test(caddyfile), "Caddyfile: /v1/* should go to the metering proxy with flush_interval -1 (streams)");
}

// --- docker compose config, where the plugin exists (it needs no engine) --------------------
const plugin = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
if (plugin.status === 0) {
  const dir = mkdtempSync(join(tmpdir(), "ferry-compose-"));
  const envFile = join(dir, "ferry.env");
  writeFileSync(envFile, [...variables].map((name) => `${name}=${name === "SITE_ADDRESS" ? "ferry.example.com" : "x".repeat(32)}`).join("\n"));
  const config = spawnSync("docker", ["compose", "-f", join(deployDir, "compose.yaml"), "--env-file", envFile, "config", "--quiet"], { encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  check(config.status === 0, `docker compose config: ${config.stderr}`);
  console.log("docker compose config: checked");
} else {
  console.log("docker compose config: NOT checked (no compose plugin on this machine)");
}

if (problems.length > 0) {
  console.error(`✖ deployment files: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`✔ deployment files: Dockerfile (${stages.map((stage) => stage.name).join(" → ")}), compose.yaml (${Object.keys(services).join(", ")}), Caddyfile`);
