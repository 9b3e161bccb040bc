import assert from 'node:assert/strict';
import { it } from 'node:test';

// CI must run every data-layer test on PostgreSQL too: without the URL they would quietly skip.
it('CI provides WORKGATE_TEST_PG_URL so the PostgreSQL tests run', { skip: process.env.CI !== 'true' ? 'not in CI' : false }, () => {
  assert.ok(process.env.WORKGATE_TEST_PG_URL, 'WORKGATE_TEST_PG_URL must be set in CI');
});
