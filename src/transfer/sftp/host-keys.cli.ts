import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { hostKeyDir, loadOrCreateHostKeys } from './host-keys.ts';

/** `workgate accounts host-keys`: the SFTP server's host key fingerprints (generating the keys on first use). */
export function registerHostKeysCommand(accounts: Command, config: () => Config): void {
  accounts
    .command('host-keys')
    .description("the SFTP server's host keys and their SHA256 fingerprints (created if this is the first use)")
    .action(async () => {
      const keys = await loadOrCreateHostKeys(hostKeyDir(config().dataDir));
      for (const key of keys) process.stdout.write(`${key.bits} ${key.fingerprint} ${key.type}\n`);
    });
}
