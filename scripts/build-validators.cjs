// Compiles every JSON Schema in schemas/ into one standalone validator module
// (dist/scenario/validators.cjs) at build time, so a run does not pay ajv's compile time.
// src/scenario/validate.ts falls back to compiling at run time when the file is absent.
const fs = require('node:fs');
const path = require('node:path');
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.join(__dirname, '..');
const dir = path.join(root, 'schemas');
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { source: true } });
const names = {};
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
// scenario.schema.json first: other schemas reference its $defs.
files.sort((a, b) =>
  a === 'scenario.schema.json' ? -1 : b === 'scenario.schema.json' ? 1 : a.localeCompare(b),
);
for (const file of files) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), file);
  names[file.replace(/\.schema\.json$/, '')] = file;
}
const out = path.join(root, 'dist', 'scenario', 'validators.cjs');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, standaloneCode(ajv, names));
