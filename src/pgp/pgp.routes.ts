import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireScope } from '../http/auth/index.ts';
import { ValidationError } from '../shared/errors.ts';
import type { AccountPgpKeys, CustomerKeyInfo } from './customer-keys.service.ts';
import { maxPublicKeyBytes } from './key-inspection.ts';
import type { WorkgateKeyInfo } from './key-ring.ts';
import type { PgpService } from './pgp.service.ts';

export const fingerprintHeader = 'X-Workgate-Key-Fingerprint';

const armoredKey = z.string().max(maxPublicKeyBytes, `must be at most ${maxPublicKeyBytes} characters`).nullable().optional();
const accountKeysBody = z.strictObject({
  'encryption-key': armoredKey,
  'signing-key': armoredKey,
  'require-signed-inbound': z.boolean().optional(),
});

function presentKey(key: WorkgateKeyInfo) {
  return {
    fingerprint: key.fingerprint,
    'key-id': key.keyId,
    algorithm: key.algorithm,
    state: key.state,
    'created-at': key.createdAt.toISOString(),
    'retired-at': key.retiredAt?.toISOString() ?? null,
  };
}

function presentCustomerKey(key: CustomerKeyInfo | null) {
  if (!key) return null;
  return {
    fingerprint: key.fingerprint,
    'key-id': key.keyId,
    algorithm: key.algorithm,
    bits: key.bits,
    'expires-at': key.expiresAt?.toISOString() ?? null,
    'user-id': key.userId,
    'updated-at': key.updatedAt.toISOString(),
    'updated-by': key.updatedBy,
    armored: key.armored,
  };
}

function presentAccountKeys(keys: AccountPgpKeys) {
  return {
    username: keys.username,
    'encryption-key': presentCustomerKey(keys.encryptionKey),
    'signing-key': presentCustomerKey(keys.signingKey),
    'require-signed-inbound': keys.requireSignedInbound,
  };
}

function actorOf(request: FastifyRequest): string {
  const principal = request.principal;
  return principal ? `api:${principal.kind}:${principal.name}` : 'api:anonymous';
}

function readAccountKeysBody(body: unknown) {
  const parsed = accountKeysBody.safeParse(body ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      'pgp-keys',
      parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: `${issue.path.join('.') || 'body'}: ${issue.message}` })),
    );
  }
  // PUT replaces the whole set: what is not given is removed.
  return {
    encryptionKey: parsed.data['encryption-key'] ?? null,
    signingKey: parsed.data['signing-key'] ?? null,
    requireSignedInbound: parsed.data['require-signed-inbound'] ?? false,
  };
}

/** `GET /api/pgp/public-key`: no authentication, customers fetch the key to encrypt for. */
export function pgpPublicRoutes(app: FastifyInstance, pgp: PgpService): void {
  app.get('/api/pgp/public-key', async (_request, reply) => {
    const key = await pgp.keys.published();
    return reply.header(fingerprintHeader, key.fingerprint).header('cache-control', 'no-cache').type('application/pgp-keys; charset=us-ascii').send(key.armored);
  });
}

type UsernameParams = { Params: { username: string } };

/** The admin routes; register them inside the authenticated /api scope. Every one needs `workgate.admin`. */
export function pgpAdminRoutes(api: FastifyInstance, pgp: PgpService): void {
  const admin = { preHandler: requireScope('workgate.admin') };

  api.get('/api/admin/pgp/keys', admin, async () => (await pgp.keys.list()).map(presentKey));
  api.post('/api/admin/pgp/rotate', admin, async (_request, reply) => reply.code(201).send(presentKey(await pgp.keys.rotate())));
  api.post<{ Params: { fingerprint: string } }>('/api/admin/pgp/keys/:fingerprint/retire', admin, async (request) =>
    presentKey(await pgp.keys.retire(request.params.fingerprint)),
  );

  const accountPath = '/api/admin/sftp-accounts/:username/pgp-keys';
  api.get<UsernameParams>(accountPath, admin, async (request) => presentAccountKeys(await pgp.customers.get(request.params.username)));
  api.put<UsernameParams>(accountPath, admin, async (request) => {
    const input = readAccountKeysBody(request.body);
    return presentAccountKeys(await pgp.customers.update(request.params.username, input, actorOf(request)));
  });
  api.delete<UsernameParams>(accountPath, admin, async (request, reply) => {
    await pgp.customers.remove(request.params.username);
    return reply.code(204).send();
  });
}
