// Preloaded with `node --import`: records the URL of every module the process loads, one a line, in the file RECORD_LOADS names.
import { register } from 'node:module';

register('./record_loads_hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_LOADS } });
