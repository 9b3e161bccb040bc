import { isCountryAlpha3 } from '../../shared/iso-3166.ts';
import type { WorkforceService, WorkLocationInput } from '../../workforce/index.ts';
import { ccwLayout, cellText, keyIn, namePattern, type CcwDeclaration } from './ccw-layout.ts';
import type { Layout, OutcomeProblem } from './layout.ts';
import { writeByStatus, type SetTarget } from './set-import.ts';

/** Work Location (reference/file-formats.md): keyed by Code; Country an ISO 3166 alpha-3 code. */
const workLocations: CcwDeclaration = {
  id: 'ccw.work-location',
  title: 'Work locations',
  fileNames: 'WorkLocation_...',
  pattern: namePattern('WorkLocation'),
  columns: [
    { name: 'Code', field: 'code', required: true, max: 100 },
    { name: 'Name', field: 'name', max: 200 },
    { name: 'Address Line1', field: 'addressLine1', required: true, max: 400, aliases: ['Address Line 1'] },
    { name: 'Address Line2', field: 'addressLine2', max: 400, aliases: ['Address Line 2'] },
    { name: 'City', field: 'city', required: true, max: 100 },
    { name: 'State', field: 'state', required: true, max: 100 },
    { name: 'Postal Code', field: 'postalCode', max: 20 },
    { name: 'Country', field: 'country', required: true },
  ],
};

const labels = new Set(workLocations.columns.map((column) => column.name));

/**
 * Status 1 rows create or update a location with every column of the row; Status 0 rows deactivate
 * the location of their Code; a Full file deactivates the locations it does not name.
 */
export function workLocationsLayout(workforce: WorkforceService): Layout {
  const service = workforce.workLocations;
  const target: SetTarget<WorkLocationInput, string> = {
    keyOf: (values) => keyIn(values, 'code', 'Code'),
    check: countryProblems,
    toInput: (values) => ({
      code: cellText(values.code) ?? '',
      name: cellText(values.name),
      addressLine1: cellText(values.addressLine1) ?? '',
      addressLine2: cellText(values.addressLine2),
      city: cellText(values.city) ?? '',
      state: cellText(values.state) ?? '',
      postalCode: cellText(values.postalCode),
      country: (cellText(values.country) ?? '').toUpperCase(),
      active: values.active !== false,
    }),
    write: (inputs, db) =>
      writeByStatus(
        inputs,
        (input) => input.code,
        (rows) => service.upsert(rows, db),
        (codes) => service.deactivate(codes, db),
      ),
    active: (db) => service.activeCodes(db),
    identityOf: (code) => code,
    deactivate: (codes, db) => service.deactivate(codes, db),
    // The service joins a row's problems with "; ": a column only when there is one.
    columnOf: (message) => (message.includes('; ') ? undefined : [...labels].find((label) => message.startsWith(`${label} `))),
  };
  return ccwLayout(workLocations, target);
}

function countryProblems(values: Record<string, unknown>): OutcomeProblem[] {
  const country = cellText(values.country);
  if (country === null) return [{ column: 'Country', message: "Country can't be blank" }];
  if (isCountryAlpha3(country.toUpperCase())) return [];
  return [{ column: 'Country', message: `Country "${country}" is not an ISO 3166 alpha-3 country code (such as USA, GBR or DEU)` }];
}
