#!/usr/bin/env node
// Runs the whole jest suite (the README's test command) and ends with the plain line
// "N passed, N failed" that CI reads; exits non-zero on any failure or if no test ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pipeline-jest-'));
const report = join(dir, 'report.json');
const args = [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--json',
  `--outputFile=${report}`,
  ...process.argv.slice(2),
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
let passed = 0;
let failed = 0;
let suitesFailed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests;
  suitesFailed = json.numFailedTestSuites;
  const skipped = json.numPendingTests + json.numTodoTests;
  if (skipped > 0) {
    console.error(`${skipped} tests are skipped or todo: that is a defect in this project`);
    failed += skipped;
  }
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
if (suitesFailed > 0 && failed === 0) failed = suitesFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
