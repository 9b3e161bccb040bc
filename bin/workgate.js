#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=100
// Runs the TypeScript sources directly: Node 24 strips types, so no build step is needed. The V8 option is
// serverNodeOptions (src/gc-policy.ts), which V8 reads at start-up only.
import '../src/cli.ts';
