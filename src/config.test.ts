import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has embedded defaults: SQLite in ./data, ports 8080 and 2222, every role', () => {
    const config = loadConfig({});
    assert.deepEqual(config.database, { kind: 'sqlite', file: path.resolve('data', 'workgate.db') });
    assert.equal(config.httpPort, 8080);
    assert.equal(config.sftpPort, 2222);
    assert.deepEqual(config.roles, ['sftp', 'http', 'worker']);
    assert.deepEqual(config.rateLimit, { perSecond: 25, burst: 20, appliesToAdminKey: false });
  });

  it('switches to PostgreSQL by URL', () => {
    const config = loadConfig({ WORKGATE_DATABASE_URL: 'postgres://u@h:5432/db' });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  });

  it('reports every bad value at once, naming the variable and the value', () => {
    assert.throws(
      () => loadConfig({ WORKGATE_HTTP_PORT: '80a', WORKGATE_DATABASE_URL: 'mysql://x', WORKGATE_ADMIN_API_KEY: 'short' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 3);
        assert.match(error.message, /WORKGATE_HTTP_PORT: .*\(got "80a"\)/);
        assert.match(error.message, /WORKGATE_DATABASE_URL: must start with postgres:\/\/.*\(got "mysql:\/\/x"\)/);
        assert.match(error.message, /WORKGATE_ADMIN_API_KEY: must be 40 to 128 characters/);
        return true;
      },
    );
  });

  it('refuses unknown roles', () => {
    assert.throws(() => loadConfig({ WORKGATE_ROLES: 'http,ftp' }), /unknown role "ftp"/);
  });
});
