import type { FieldProblem } from '../../shared/errors.ts';
import { normalizeAuthenticationMethod } from '../../core/index.ts';
import type { UserImportOptions, UserImportOutcome, UserImport, UserImportRow, UserInput } from '../../core/index.ts';
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/index.ts';
import type { ColumnSpec, FeedOutcome, ImportContext, Layout, LayoutImport, LayoutRow } from './layout.ts';

/** The Users layout (reference/file-formats.md "Core: Users"). */
export const userColumns: readonly ColumnSpec[] = [
  { name: 'Login', field: 'login', required: true },
  { name: 'Email', field: 'email', required: true },
  { name: 'First Name', field: 'firstname', required: true },
  { name: 'Last Name', field: 'lastname', required: true },
  { name: 'Middle Name', field: 'middlename', element: 'middlename' },
  { name: 'Mention Name', field: 'mentionName', element: 'mention-name' },
  { name: 'Employee Number', field: 'employeeNumber', element: 'employee-number' },
  { name: 'Phone Work', field: 'phoneWork', element: 'phone-work' },
  { name: 'Phone Mobile', field: 'phoneMobile', element: 'phone-mobile' },
  { name: 'Default Currency', field: 'defaultCurrency', element: 'default-currency' },
  { name: 'User Role Names', field: 'roles', kind: 'list', element: 'roles' },
  { name: 'Approver Login', field: 'manager', element: 'manager' },
  { name: 'Contingent Workforce User', field: 'ccwUser', kind: 'boolean', element: 'ccw-user' },
  { name: 'Sso Identifier', field: 'ssoIdentifier', element: 'sso-identifier', aliases: ['SSO Identifier'] },
  { name: 'Authentication Method', field: 'authenticationMethod', element: 'authentication-method' },
  { name: 'Approval Limit', field: 'approvalLimit', kind: 'money', element: 'approval-limit' },
  { name: 'Default Locale', field: 'defaultLocale', element: 'default-locale' },
];

const columnByElement = new Map<string, string>([
  ['login', 'Login'],
  ['email', 'Email'],
  ['firstname', 'First Name'],
  ['lastname', 'Last Name'],
  ...userColumns.filter((c) => c.element).map((c) => [c.element!, c.name] as [string, string]),
  ['active', 'Status'],
]);

export type StartUserImport = (db: Db, trx: Kysely<Database>, options: UserImportOptions) => Promise<UserImport>;

export function usersLayout(startUserImport: StartUserImport): Layout {
  return {
    id: 'core.users',
    title: 'Users',
    folder: 'Users',
    matches: () => true,
    delimiters: [','],
    status: { active: ['active'], inactive: ['inactive'] },
    columns: userColumns,
    async start(context: ImportContext): Promise<LayoutImport> {
      const given = new Set([...context.given].filter((f): f is keyof UserInput => f !== 'status')) as Set<keyof UserInput>;
      const imported = await startUserImport(context.db, context.trx, { fullFeed: context.fullFeed, given, actor: context.actor });
      return {
        add: (rows) => imported.add(rows.map(toImportRow)),
        plan: () => imported.plan(),
        apply: () => imported.apply(),
        outcomes: () => mapOutcomes(imported.outcomes()),
        close: () => imported.close(),
      };
    },
  };
}

function toImportRow(row: LayoutRow): UserImportRow {
  const v = row.values as Record<string, unknown>;
  // The row's own values object becomes the input (no copy per row): nothing reads row.values after this.
  const input = v as UserInput;
  if ('manager' in v) input.manager = typeof v.manager === 'string' ? { login: v.manager } : null;
  if ('roles' in v) input.roles = (v.roles as string[]).map((name) => ({ name }));
  if (typeof v.defaultCurrency === 'string') input.defaultCurrency = v.defaultCurrency.toUpperCase();
  if (typeof v.authenticationMethod === 'string') input.authenticationMethod = normalizeAuthenticationMethod(v.authenticationMethod);
  const problems: FieldProblem[] = row.problems.map((p) => ({ field: p.column ?? '', message: p.message }));
  return { line: row.line, input, problems, ...(row.unreadable ? { unreadable: true } : {}) };
}

async function* mapOutcomes(pages: AsyncIterable<readonly UserImportOutcome[]>): AsyncGenerator<FeedOutcome[]> {
  for await (const page of pages) {
    yield page.map((o) => ({
      line: o.line,
      key: o.key,
      outcome: o.outcome,
      problems: o.problems.map((p) => ({ column: columnByElement.get(p.field) ?? (p.field || undefined), message: p.message })),
    }));
  }
}
