import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Whether ssh2 runs its ciphers through its native binding (built for this Node.js at install time).
 * Without it chacha20-poly1305 and AES-GCM fall back to slower JavaScript paths.
 */
export function nativeCryptoAvailable(): boolean {
  try {
    return (require('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean }).bindingAvailable === true;
  } catch {
    return false;
  }
}
