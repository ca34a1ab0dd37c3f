import { existsSync } from 'node:fs';

/** Debian's headless Chromium, when installed (`.ci/run` installs it: apt-get install chromium). */
export const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Flags for a headless, offline Chromium run in a test; add a `--user-data-dir` per run. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
