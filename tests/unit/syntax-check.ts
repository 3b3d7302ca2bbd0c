// Compiles many snippet files with one process per language (python3, node, bash) instead of one
// per file: each spawn costs a compiler start-up, and dozens of them time out on a loaded machine.
import { spawnSync } from "node:child_process";

export type CheckedLanguage = "python" | "javascript" | "bash";
export type SyntaxFailure = { file: string; message: string };

const pythonChecker = `
import py_compile, sys
for path in sys.argv[1:]:
    try:
        py_compile.compile(path, doraise=True)
    except py_compile.PyCompileError as error:
        print(path + "\\t" + str(error.msg).replace("\\n", " "))
`;

// vm.SourceTextModule parses an ES module exactly as \`node --check\` does for .mjs, without running it.
const javascriptChecker = `
const { readFileSync } = require("node:fs");
const vm = require("node:vm");
for (const path of process.argv.slice(1)) {
  const code = readFileSync(path, "utf8");
  try {
    if (path.endsWith(".mjs")) new vm.SourceTextModule(code, { identifier: path });
    else new vm.Script(code, { filename: path });
  } catch (error) {
    console.log(path + "\\t" + String(error && error.message).replace(/\\n/g, " "));
  }
}
`;

// \`bash -n\` per file is a fork of the already-loaded shell, far cheaper than a compiler start.
const bashChecker = `for path in "$@"; do message=$(bash -n "$path" 2>&1) || printf '%s\\t%s\\n' "$path" "\${message//$'\\n'/ }"; done`;

function runChecker(command: string, args: string[]): SyntaxFailure[] {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} exited ${result.status}: ${result.stderr}`);
  return result.stdout
    .split("\n")
    .filter((line) => line.includes("\t"))
    .map((line) => {
      const [file = "", message = ""] = line.split("\t");
      return { file, message };
    });
}

export function checkSyntax(files: Array<{ language: CheckedLanguage; path: string }>): SyntaxFailure[] {
  const paths = (language: CheckedLanguage) => files.filter((file) => file.language === language).map((file) => file.path);
  const failures: SyntaxFailure[] = [];
  const python = paths("python");
  if (python.length > 0) failures.push(...runChecker("python3", ["-c", pythonChecker, ...python]));
  const javascript = paths("javascript");
  if (javascript.length > 0) {
    failures.push(...runChecker(process.execPath, ["--experimental-vm-modules", "--no-warnings", "-e", javascriptChecker, ...javascript]));
  }
  const bash = paths("bash");
  if (bash.length > 0) failures.push(...runChecker("bash", ["-c", bashChecker, "bash", ...bash]));
  return failures;
}
