import crypto from 'node:crypto';

export const passwordMinLength = 12;
export const passwordMaxLength = 1024;

/** 18 random bytes are exactly 24 base64url characters: 144 bits, far past any guessing. */
const generatedPasswordBytes = 18;

/**
 * Why a password is refused, as sentences an admin can act on; empty when it is acceptable.
 * Lengths count characters (code points), not bytes.
 */
export function passwordProblems(username: string, password: string): string[] {
  const length = [...password].length;
  if (length < passwordMinLength) return [`Password is too short (minimum is ${passwordMinLength} characters, got ${length})`];
  if (length > passwordMaxLength) return [`Password is too long (maximum is ${passwordMaxLength} characters)`];
  if (password.toLowerCase() === username.toLowerCase()) return ['Password must not be the user name'];
  return [];
}

/** A strong password to hand out once; it always passes the policy. */
export function generatePassword(): string {
  return crypto.randomBytes(generatedPasswordBytes).toString('base64url');
}
