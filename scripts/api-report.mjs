#!/usr/bin/env node
// API reports: one `<package>/api/<name>.api.md` per published entry point (API Extractor's report
// of the public surface, from the built .d.ts), so a change of the public exports shows in review.
//   node scripts/api-report.mjs          (pnpm api:update) rewrites the reports
//   node scripts/api-report.mjs --check  (pnpm api:check)  fails with a diff when a report is stale,
//                                                          missing or left over
// Needs `pnpm build` first. Only `packages/*`/`apps/*` packages without "private": true are reported.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { entryFileStem, root, typeEntryPoints, workspacePackages } from './lib/workspace.mjs';

const check = process.argv.includes('--check');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const base = ExtractorConfig.loadFile(join(root, 'scripts', 'api-extractor.json'));
const temp = mkdtempSync(join(tmpdir(), 'pipeline-api-'));
const problems = [];
let reports = 0;

try {
  for (const pkg of workspacePackages()) {
    if (!pkg.published) continue;
    if (only.length > 0 && !only.some((o) => o === pkg.name || o === pkg.relDir)) continue;
    const reportFolder = join(pkg.dir, 'api');
    const expected = new Set();
    for (const entry of typeEntryPoints(pkg.manifest)) {
      const stem = entryFileStem(pkg.name, entry.subpath);
      expected.add(`${stem}.api.md`);
      const entryFile = join(pkg.dir, entry.types);
      if (!existsSync(entryFile)) {
        problems.push(`${pkg.name} ${entry.subpath}: ${relative(root, entryFile)} does not exist; run \`pnpm build\` first`);
        continue;
      }
      if (!check) mkdirSync(reportFolder, { recursive: true });
      const configObject = structuredClone(base);
      configObject.projectFolder = pkg.dir;
      configObject.mainEntryPointFilePath = entryFile;
      configObject.compiler = {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'],
            types: ['node'], strict: true, skipLibCheck: true,
          },
          files: [entryFile],
        },
      };
      configObject.apiReport = {
        ...configObject.apiReport,
        reportFileName: stem,
        reportFolder,
        reportTempFolder: join(temp, pkg.relDir),
      };
      const config = ExtractorConfig.prepare({
        configObject,
        configObjectFullPath: undefined,
        packageJsonFullPath: join(pkg.dir, 'package.json'),
      });
      const messages = [];
      const result = Extractor.invoke(config, {
        localBuild: !check,
        messageCallback: (message) => {
          // The stale-report message is replaced by the diff below.
          const stale = message.messageId === 'console-api-report-not-copied';
          if (!stale && (message.logLevel === 'error' || message.logLevel === 'warning')) messages.push(message.formatMessageWithLocation(pkg.dir));
          message.handled = true;
        },
      });
      reports++;
      if (!result.succeeded && messages.length > 0) problems.push(`${pkg.name} ${entry.subpath}:\n  ${messages.join('\n  ')}`);
      if (check && result.apiReportChanged) {
        const committed = join(reportFolder, `${stem}.api.md`);
        const fresh = join(temp, pkg.relDir, `${stem}.api.md`);
        if (!existsSync(committed)) {
          problems.push(`${pkg.name} ${entry.subpath}: ${relative(root, committed)} is missing`);
        } else {
          const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--', committed, fresh], { encoding: 'utf8' });
          problems.push(`${pkg.name} ${entry.subpath}: the public surface changed and ${relative(root, committed)} did not\n${diff.stdout}`);
        }
      } else if (!result.succeeded && messages.length === 0) {
        problems.push(`${pkg.name} ${entry.subpath}: API Extractor failed (${result.errorCount} errors)`);
      }
    }
    // Reports of entry points that no longer exist.
    if (existsSync(reportFolder)) {
      for (const file of readdirSync(reportFolder)) {
        if (!file.endsWith('.api.md') || expected.has(file)) continue;
        if (check) problems.push(`${pkg.name}: ${relative(root, join(reportFolder, file))} reports an entry point that is not in "exports"`);
        else unlinkSync(join(reportFolder, file));
      }
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(problems.join('\n\n'));
  console.error(check
    ? `\napi:check: ${problems.length} problem(s). If the change of the public surface is intended, run \`pnpm build && pnpm api:update\` and commit the reports.`
    : `\napi:update: ${problems.length} problem(s).`);
  process.exit(1);
}
console.log(`api:${check ? 'check' : 'update'}: ${reports} API report(s) ${check ? 'up to date' : 'written'}`);
