import { useEffect, useRef } from 'react';
import { CopyButton } from '../../ui/bits.tsx';

/**
 * A generated password, shown this one time: it lives only in this component's state, the API never shows it
 * again and the page forgets it when it is dismissed or left.
 */
export function PasswordOnce({ username, password, onDone }: { username: string; password: string; onDone: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div className="alert once" role="alert" tabIndex={-1} ref={box} aria-labelledby="password-once-title">
      <h3 id="password-once-title">New password for {username}</h3>
      <p>This password is shown only now. Copy it and hand it over securely; Workgate keeps only its hash.</p>
      <p className="secret">
        <code id="generated-password" data-testid="generated-password">
          {password}
        </code>{' '}
        <CopyButton value={password} label="Copy password" targetId="generated-password" />
      </p>
      <button type="button" onClick={onDone}>
        I have copied it: hide the password
      </button>
    </div>
  );
}
