#!/usr/bin/env node
// `pas`: loads the TypeScript CLI through tsx, so the command always runs the checked-out source.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src-main/cli/main.ts');
await runCli();
