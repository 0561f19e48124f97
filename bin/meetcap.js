#!/usr/bin/env node
// The meetcap CLI. Runs the TypeScript sources through tsx's loader, so there is no build step
// between a checkout and a running worker; the same entry is what the worker forks for sessions.
import { register } from 'tsx/esm/api';

register();
await import('../src/ops/cli.ts');
