import { useId, type ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

/**
 * The API says what is wrong in sentences that start with the element's name ("Max sessions must be ...",
 * "quota-bytes: must be ..."). Each sentence goes next to the field it names; the rest above the form.
 */
export function splitErrors(error: ApiError | undefined, fields: Record<string, string[]>): { byField: Record<string, string[]>; rest: string[] } {
  const byField: Record<string, string[]> = {};
  const rest: string[] = [];
  for (const message of error?.messages ?? []) {
    const lower = message.toLowerCase();
    const hit = Object.entries(fields).find(([name, labels]) =>
      [name, name.replaceAll('-', ' '), ...labels].some((label) => {
        const l = label.toLowerCase();
        return lower.startsWith(l) || lower.includes(`"${l}"`) || lower.includes(`${l}:`) || lower.includes(` ${l} `);
      }),
    );
    if (hit) (byField[hit[0]] ??= []).push(message);
    else rest.push(message);
  }
  return { byField, rest };
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  errors?: string[] | undefined;
  /** Renders the control with the ids and aria attributes that tie it to its label, hint and errors. */
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

export function Field({ label, hint, errors, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors && errors.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={errorId ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(errorId), 'aria-describedby': describedBy })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {errorId ? (
        <p className="field-error" id={errorId}>
          {errors!.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

type TextProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  errors?: string[] | undefined;
  type?: 'text' | 'password' | 'number' | 'search' | 'date' | 'email';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'numeric' | 'decimal' | 'text';
  name?: string;
};

export function TextField({ label, value, onChange, hint, errors, type = 'text', ...rest }: TextProps) {
  return (
    <Field label={label} hint={hint} errors={errors}>
      {(control) => <input {...control} type={type} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />}
    </Field>
  );
}

export function TextArea({ label, value, onChange, hint, errors, rows = 4, required }: Omit<TextProps, 'type'> & { rows?: number }) {
  return (
    <Field label={label} hint={hint} errors={errors}>
      {(control) => <textarea {...control} rows={rows} value={value} required={required} spellCheck={false} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

export function SelectField({
  label,
  value,
  onChange,
  options,
  hint,
  errors,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  hint?: ReactNode;
  errors?: string[] | undefined;
}) {
  return (
    <Field label={label} hint={hint} errors={errors}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A group of checkboxes (folders, scopes): a fieldset with a legend, its error below. */
export function CheckboxGroup({
  legend,
  options,
  selected,
  onChange,
  errors,
}: {
  legend: string;
  options: readonly string[];
  selected: string[];
  onChange: (selected: string[]) => void;
  errors?: string[] | undefined;
}) {
  const id = useId();
  const invalid = errors !== undefined && errors.length > 0;
  return (
    <fieldset className={invalid ? 'field invalid' : 'field'} aria-describedby={invalid ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((option) => (
          <label key={option} className="check">
            <input
              type="checkbox"
              checked={selected.includes(option)}
              onChange={(e) => onChange(e.target.checked ? [...selected, option] : selected.filter((s) => s !== option))}
            />
            {option}
          </label>
        ))}
      </div>
      {invalid ? (
        <p className="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      ) : null}
    </fieldset>
  );
}

export function Checkbox({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}
