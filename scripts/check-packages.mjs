#!/usr/bin/env node
// What a user of a published package sees, for every published workspace package:
//   - the metadata users look for: description, keywords, repository, license, engines.node,
//     sideEffects, a README.md with at least one code example;
//   - `pnpm pack` (which rewrites `workspace:` ranges) and @arethetypeswrong/cli on the tarball with
//     the esm-only profile: the types must resolve for node16/nodenext ESM and for bundlers
//     (CommonJS `require` is not claimed: the packages are ESM only).
// (`publint --strict` runs per package in `pnpm lint`.) Needs `pnpm build` first. Exits non-zero
// on any problem and lists them all.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, workspacePackages } from './lib/workspace.mjs';

const problems = [];
const only = process.argv.slice(2);
const packages = workspacePackages().filter((p) => p.published && (only.length === 0 || only.includes(p.name) || only.includes(p.relDir)));
const temp = mkdtempSync(join(tmpdir(), 'pipeline-attw-'));
const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');

/** Runs a command; resolves with its exit code and output. */
function run(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ status: 1, output: `${output}${error.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

function checkMetadata(pkg) {
  const m = pkg.manifest;
  const missing = [];
  if (typeof m.description !== 'string' || m.description.length < 10) missing.push('description');
  if (!Array.isArray(m.keywords) || m.keywords.length === 0) missing.push('keywords');
  if (typeof m.repository !== 'object' || typeof m.repository?.url !== 'string' || m.repository.directory !== pkg.relDir) missing.push(`repository (with "directory": "${pkg.relDir}")`);
  if (typeof m.license !== 'string') missing.push('license');
  if (typeof m.engines?.node !== 'string') missing.push('engines.node');
  if (!('sideEffects' in m)) missing.push('sideEffects');
  if (missing.length > 0) problems.push(`${pkg.relDir}/package.json: missing ${missing.join(', ')}`);
  const readme = join(pkg.dir, 'README.md');
  if (!existsSync(readme)) problems.push(`${pkg.relDir}: no README.md (one runnable example is expected)`);
  else if (!/^```(ts|typescript|js|sh|bash|console)\n/m.test(readFileSync(readme, 'utf8'))) problems.push(`${pkg.relDir}/README.md: no code example (a \`\`\`ts or \`\`\`sh block)`);
}

async function checkTypes(pkg) {
  const out = join(temp, pkg.relDir);
  const pack = await run('pnpm', ['pack', '--pack-destination', out], pkg.dir);
  const tarball = existsSync(out) ? readdirSync(out).find((f) => f.endsWith('.tgz')) : undefined;
  if (pack.status !== 0 || tarball === undefined) {
    problems.push(`${pkg.name}: pnpm pack failed\n${pack.output}`);
    return;
  }
  const check = await run(process.execPath, [attw, join(out, tarball), '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], root);
  if (check.status !== 0) problems.push(`${pkg.name}: @arethetypeswrong/cli (esm-only profile) found problems\n${check.output}`);
  else process.stderr.write(`check-packages: ${pkg.name}: types ok (attw esm-only: node16 ESM, bundler)\n`);
}

try {
  packages.forEach(checkMetadata);
  // Two at a time (pack + attw are mostly process start-up and TypeScript loading).
  const queue = [...packages];
  await Promise.all([0, 1].map(async () => {
    for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) await checkTypes(pkg);
  }));
} finally {
  rmSync(temp, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\n${problems.join('\n\n')}\n\ncheck-packages: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-packages: ${packages.length} packages: metadata, README and types (attw esm-only) ok`);
