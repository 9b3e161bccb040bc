import type { Algorithms } from 'ssh2';

/**
 * Modern algorithms only: no SHA-1 key exchange (group1/group14-sha1, group-exchange-sha1), no CBC or
 * arcfour ciphers, no SHA-1 or MD5 MACs, no ssh-dss or SHA-1 RSA (ssh-rsa) host key signatures.
 * The ssh2 patch (patches/ssh2+1.17.0.patch) keeps ssh2 from adding ssh-rsa back for an RSA host key.
 */
export const sftpAlgorithms = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  serverHostKey: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
} satisfies Algorithms;

/** A client's public key signature ssh-dss or SHA-1 RSA is refused (the hash algorithm is absent for plain ssh-rsa). */
export function isWeakUserKeySignature(keyAlgo: string, hashAlgo: string | undefined): boolean {
  return keyAlgo === 'ssh-dss' || (keyAlgo === 'ssh-rsa' && hashAlgo === undefined);
}
