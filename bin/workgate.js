#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips types, so no build step is needed.
import '../src/cli.ts';
