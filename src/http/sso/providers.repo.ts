import type { Selectable } from 'kysely';
import { toBool, toDate, type Db, type SsoProviderTable } from '../../db/index.ts';
import type { Provider, ProviderKind, ProviderSettings } from './provider.types.ts';

type Row = Selectable<SsoProviderTable>;

export interface ProviderWrite {
  name: string;
  kind: ProviderKind;
  enabled: boolean;
  settings: ProviderSettings;
  secret: string | null;
}

function toProvider(row: Row): Provider {
  return {
    id: Number(row.id),
    name: row.name,
    kind: row.kind as ProviderKind,
    enabled: toBool(row.enabled),
    settings: JSON.parse(row.settings) as ProviderSettings,
    hasClientSecret: row.secret !== null,
    clientSecret: row.secret,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** The sso_providers table through Kysely, nothing else. */
export function createProvidersRepo(db: Db) {
  const k = db.kysely;
  return {
    async find(name: string): Promise<Provider | undefined> {
      const row = await k.selectFrom('sso_providers').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toProvider(row) : undefined;
    },

    async list(): Promise<Provider[]> {
      return (await k.selectFrom('sso_providers').selectAll().orderBy('name').execute()).map(toProvider);
    },

    async insert(write: ProviderWrite, actor: string, now: string): Promise<void> {
      await k
        .insertInto('sso_providers')
        .values({
          name: write.name,
          kind: write.kind,
          enabled: write.enabled,
          settings: JSON.stringify(write.settings),
          secret: write.secret,
          created_at: now,
          updated_at: now,
          created_by: actor,
          updated_by: actor,
        })
        .execute();
    },

    async update(name: string, write: Omit<ProviderWrite, 'name' | 'kind'>, actor: string, now: string): Promise<void> {
      await k
        .updateTable('sso_providers')
        .set({ enabled: write.enabled, settings: JSON.stringify(write.settings), secret: write.secret, updated_at: now, updated_by: actor })
        .where('name', '=', name)
        .execute();
    },

    async remove(name: string): Promise<number> {
      const result = await k.deleteFrom('sso_providers').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
