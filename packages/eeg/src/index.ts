export type { SeizureWindow, WindowSet } from './window-set.js';
