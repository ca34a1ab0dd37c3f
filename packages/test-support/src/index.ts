export { expectSameRun, useDemoFixture, type DemoFixture, type TableConfig } from './demo-fixture.js';
