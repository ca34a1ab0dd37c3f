import { describe, expect, it } from '@jest/globals';
import { commands } from '../src/commands/index.js';
import { run } from './helpers.js';

describe('pipeline CLI (in-process)', () => {
  it('--help lists every registered command and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(commands.length).toBeGreaterThan(0);
    for (const definition of commands) {
      const name = definition.command.split(' ')[0]!;
      expect(result.stdout).toContain(`pipeline ${name}`);
    }
    expect(result.stdout).toContain('2 usage error, 3 bad input data, 4 not found, 130 interrupted');
  });

  it('every command has --help with at least one example', async () => {
    for (const definition of commands) {
      const name = definition.command.split(' ')[0]!;
      const result = await run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(definition.examples.length).toBeGreaterThan(0);
    }
  });

  it('an unknown command is a usage error (exit 2) with a helpful message', async () => {
    const typo = await run(['trian']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean train?');
    expect(typo.stderr).toContain("Run 'pipeline --help'");
    expect(typo.stdout).toBe('');
    const unknown = await run(['zzzz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown argument: zzzz/);
  });

  it('no command is a usage error', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Name a command');
  });

  it('an unknown option is a usage error (strict mode)', async () => {
    const result = await run(['version', '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument/);
  });

  it('an invalid --log-level choice is a usage error', async () => {
    const result = await run(['version', '--log-level', 'loud']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid values/);
  });

  it('--json prints exactly one JSON document', async () => {
    const result = await run(['version', '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { node: string; cli: string };
    expect(document.node).toBe(process.version);
    expect(document.cli).toMatch(/^@pipeline\/cli@\d+\.\d+\.\d+$/);
  });
});
