import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JsonSchema, RouteDoc } from '../http/api/route-docs.ts';
import { requireScope } from '../http/auth/index.ts';
import { ValidationError } from '../shared/errors.ts';
import type { AccountPgpKeys, CustomerKeyInfo } from './customer-keys.service.ts';
import { maxPublicKeyBytes } from './key-inspection.ts';
import type { WorkgateKeyInfo } from './key-ring.ts';
import { keyStates } from './keys.repo.ts';
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
  const doc: RouteDoc = {
    summary: "Workgate's published public key, armored, for customers to encrypt inbound files with",
    public: true,
    response: { description: `The armored key; the ${fingerprintHeader} header carries its fingerprint`, contentType: 'application/pgp-keys' },
  };
  app.get('/api/pgp/public-key', { config: { doc } }, async (_request, reply) => {
    const key = await pgp.keys.published();
    return reply.header(fingerprintHeader, key.fingerprint).header('cache-control', 'no-cache').type('application/pgp-keys; charset=us-ascii').send(key.armored);
  });
}

type UsernameParams = { Params: { username: string } };

/** The admin routes; register them inside the authenticated /api scope. Every one needs `workgate.admin`. */
export function pgpAdminRoutes(api: FastifyInstance, pgp: PgpService): void {
  const admin = (doc: RouteDoc) => ({ preHandler: requireScope('workgate.admin'), config: { doc } });
  const keyElements = ['fingerprint', 'key-id', 'algorithm', 'state', 'created-at', 'retired-at'];
  const keyAnswer = `state: ${keyStates.join(', ')} (active keys still decrypt)`;

  api.get('/api/admin/pgp/keys', admin({ summary: "Workgate's own keys, newest first", response: { description: `Every key; ${keyAnswer}`, many: true, elements: keyElements } }), async () =>
    (await pgp.keys.list()).map(presentKey),
  );
  const rotate = { summary: 'Make a new key the published one; older keys keep decrypting until retired', response: { status: 201, description: 'The new key', elements: keyElements } };
  api.post('/api/admin/pgp/rotate', admin(rotate), async (_request, reply) => reply.code(201).send(presentKey(await pgp.keys.rotate())));
  const retire = { summary: 'Retire an older key: files encrypted for it no longer decrypt', response: { description: `The key; ${keyAnswer}`, elements: keyElements } };
  api.post<{ Params: { fingerprint: string } }>('/api/admin/pgp/keys/:fingerprint/retire', admin(retire), async (request) =>
    presentKey(await pgp.keys.retire(request.params.fingerprint)),
  );

  const accountPath = '/api/admin/sftp-accounts/:username/pgp-keys';
  const accountAnswer = {
    description: 'The keys (each: fingerprint, key-id, algorithm, bits, expires-at, user-id, updated-at, updated-by, armored; or null) and the signing policy',
    elements: ['username', 'encryption-key', 'signing-key', 'require-signed-inbound'],
  };
  const show = { summary: "An SFTP account's PGP keys: the customer's key results are encrypted for, and the key its inbound files must be signed with", response: accountAnswer };
  api.get<UsernameParams>(accountPath, admin(show), async (request) => presentAccountKeys(await pgp.customers.get(request.params.username)));
  const replace = {
    summary: "Set an account's PGP keys (the whole set: what is not given is removed); expired, revoked, weak or private keys are refused with the reason",
    body: z.toJSONSchema(accountKeysBody) as JsonSchema,
    response: accountAnswer,
  };
  api.put<UsernameParams>(accountPath, admin(replace), async (request) => {
    const input = readAccountKeysBody(request.body);
    return presentAccountKeys(await pgp.customers.update(request.params.username, input, actorOf(request)));
  });
  const remove = { summary: "Remove an account's PGP keys: its results go out unencrypted, its inbound files need no signature", response: { status: 204, description: 'Removed' } };
  api.delete<UsernameParams>(accountPath, admin(remove), async (request, reply) => {
    await pgp.customers.remove(request.params.username);
    return reply.code(204).send();
  });
}
