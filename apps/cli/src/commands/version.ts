import { readFileSync } from 'node:fs';
import type { CommandDefinition } from '../command.js';

const cliPackage = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const versionCommand: CommandDefinition = {
  command: 'version',
  describe: 'Print the versions of the CLI, Node.js and the platform',
  examples: [
    ['$0 version', 'print versions as text'],
    ['$0 version --json', 'print versions as one JSON document'],
  ],
  builder: (yargs) => yargs,
  async run(_args, runtime) {
    const info = {
      cli: `${cliPackage.name}@${cliPackage.version}`,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    if (runtime.json) runtime.printJson(info);
    else runtime.print(`${info.cli}\nnode ${info.node}\n${info.platform}`);
  },
};
