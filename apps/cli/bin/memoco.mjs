#!/usr/bin/env node
// Entry of the `memoco` command. TypeScript sources run through tsx's loader: there is no
// separate build step for the services and the CLI (the native addon is built by node-gyp).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
