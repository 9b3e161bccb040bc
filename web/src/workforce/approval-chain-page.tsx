import { useState, type FormEvent } from 'react';
import { api, seg } from '../api/client.ts';
import type { WorkforceUser } from '../api/types.ts';
import { splitErrors, TextField } from '../ui/form.tsx';
import { Busy, Empty, ErrorMessages, Page, Section } from '../ui/page.tsx';
import { useApi } from '../ui/use-api.ts';

/** Who approves an amount: from me up my supervisors, skipping inactive ones, up to the first whose limit covers it. */
export function ApprovalChainPage({ login }: { login: string }) {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('');
  const [asked, setAsked] = useState({ amount: '', currency: '' });
  const path = `/api/ccw/users/${seg(login)}/approval-chain`;
  const chain = useApi((signal) => api.get<WorkforceUser[]>(path, asked, signal), JSON.stringify(asked));
  const { byField, rest } = splitErrors(chain.error, { amount: ['amount'], currency: ['currency'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAsked({ amount: amount.trim(), currency: currency.trim().toUpperCase() });
  };
  return (
    <Page title="My approval chain">
      <form className="filters" onSubmit={submit} noValidate aria-label="Find the approvers">
        <TextField label="Amount" inputMode="decimal" value={amount} onChange={setAmount} errors={byField.amount} hint="e.g. 2500.00; empty: the whole chain." />
        <TextField label="Currency" value={currency} onChange={setCurrency} errors={byField.currency} hint="Three letters, e.g. USD." />
        <div className="buttons">
          <button type="submit" className="primary">
            Show approvers
          </button>
        </div>
      </form>
      <ErrorMessages messages={rest} />
      <Section title={asked.amount ? `Approvers for ${asked.amount} ${asked.currency}` : 'Approvers'}>
        {chain.loading && !chain.data ? <Busy label="Finding the approvers…" /> : null}
        {chain.data && !chain.error ? (
          chain.data.length === 0 ? (
            <Empty>Nobody above you approves this: you have no active supervisor.</Empty>
          ) : (
            <ol className="chain" data-testid="approval-chain" aria-live="polite">
              {chain.data.map((u) => (
                <li key={u.id}>
                  <strong>{u['user-name']}</strong> {u['first-name']} {u['last-name']}
                  {u['approval-limit'] ? ` — approves up to ${u['approval-limit'].amount} ${u['approval-limit'].currency.code}` : ' — no approval limit'}
                </li>
              ))}
            </ol>
          )
        ) : null}
      </Section>
    </Page>
  );
}
