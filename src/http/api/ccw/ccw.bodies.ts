import { AppError, ValidationError } from '../../../shared/errors.ts';
import type { SettingsUpdate } from '../../../sync/index.ts';
import { ElementProblem, list, readBody, text, type BodySpec, type ElementReader } from '../resources/body-reader.ts';

const roleName: ElementReader = (value, element) => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'name' in value) return text(100)((value as { name: unknown }).name, `${element} name`);
  if (typeof value === 'string') return value;
  throw new ElementProblem(`${element} must be an object with name, e.g. {"name": "Engaging Manager"}`);
};

/** PUT /api/ccw/users/:login: only roles are Workforce's to change; synchronized elements a client echoes back are ignored. */
export const workforceUserBody: BodySpec = {
  resource: 'user',
  elements: { roles: ['roles', list(roleName, 50)] },
  readOnly: [
    'user-name', 'first-name', 'last-name', 'nick-name', 'email', 'phone-number', 'default-currency',
    'employee-number', 'status', 'supervisor', 'approval-limit',
  ],
};

function chartKey(value: unknown): SettingsUpdate['chart'] {
  if (value === null || value === '') return null;
  if (typeof value === 'string') return { name: value.trim() };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.name === 'string' && v.name.trim() !== '') return { name: v.name.trim() };
    if (typeof v.id === 'number' || (typeof v.id === 'string' && /^\d+$/.test(v.id))) return { id: Number(v.id) };
  }
  throw new ValidationError('settings', [{ field: 'chart-of-accounts', message: 'chart-of-accounts must be an object with name (or id), or null' }]);
}

/** {"4": "Site Location"} (JSON) or a list of {slot, name} (either format, and what XML can carry). */
function segmentNames(value: unknown): Record<number, string | null> {
  const fail = (): never => {
    throw new ValidationError('settings', [{ field: 'segment-names', message: 'segment-names must be an object of slot: name, or a list of {slot, name}' }]);
  };
  const name = (v: unknown) => (v === null || v === '' ? null : typeof v === 'string' ? v : fail());
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map((item) => {
      if (typeof item !== 'object' || item === null) return fail();
      const { slot, name: n } = item as Record<string, unknown>;
      return [Number(slot), name(n ?? null)];
    }));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const nested = entries.length === 1 && ['segment-name', 'segment_name'].includes(entries[0]![0]);
    if (nested) return segmentNames(Array.isArray(entries[0]![1]) ? entries[0]![1] : [entries[0]![1]]);
    return Object.fromEntries(entries.map(([slot, n]) => [Number(slot), name(n)]));
  }
  return fail();
}

export function readSettingsBody(body: unknown): SettingsUpdate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('bad_request', 'the request body must be one settings object');
  const update: SettingsUpdate = {};
  for (const [raw, value] of Object.entries(body as Record<string, unknown>)) {
    const key = raw.replaceAll('_', '-');
    if (key === 'chart-of-accounts') update.chart = chartKey(value);
    else if (key === 'segment-names') update.segmentNames = segmentNames(value);
    else if (key !== 'segments') throw new AppError('bad_request', `unknown element "${raw}" for settings; writable: chart-of-accounts, segment-names`);
  }
  return update;
}

export function readRolesBody(body: unknown): string[] | undefined {
  return readBody<{ roles?: string[] }>(workforceUserBody, body).roles;
}
