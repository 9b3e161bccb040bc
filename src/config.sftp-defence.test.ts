import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration of the SFTP brute-force defence', () => {
  it('defaults to 5 failures in 5 minutes banning for 15 minutes', () => {
    assert.deepEqual(loadConfig({}).sftpDefence, { threshold: 5, windowSeconds: 300, banSeconds: 900 });
  });

  it('reads the three variables', () => {
    const config = loadConfig({ WORKGATE_SFTP_BAN_THRESHOLD: '10', WORKGATE_SFTP_BAN_WINDOW_SECONDS: '60', WORKGATE_SFTP_BAN_SECONDS: '3600' });
    assert.deepEqual(config.sftpDefence, { threshold: 10, windowSeconds: 60, banSeconds: 3600 });
  });

  it('refuses values that would switch the defence off or make no sense, naming each variable', () => {
    assert.throws(
      () => loadConfig({ WORKGATE_SFTP_BAN_THRESHOLD: '0', WORKGATE_SFTP_BAN_WINDOW_SECONDS: 'soon', WORKGATE_SFTP_BAN_SECONDS: '-5' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(
          error.problems.map((problem) => problem.split(':')[0]),
          ['WORKGATE_SFTP_BAN_THRESHOLD', 'WORKGATE_SFTP_BAN_WINDOW_SECONDS', 'WORKGATE_SFTP_BAN_SECONDS'],
        );
        return true;
      },
    );
  });
});
