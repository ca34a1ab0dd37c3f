#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';

// Before anything else loads: the modules imported below are compiled through the cache (Node 22.1+).
enableCompileCache();
await import('./bin-main.js');
