/**
 * The feed folders an SFTP account can be given. Each gives the account three virtual folders:
 * /Incoming/<name> (upload), /Outgoing/<name> (results to download) and /Archive/Incoming/<name>
 * (processed originals, read-only). See DESIGN.md "Folders an SFTP account sees".
 */
export const feedFolders = ['CCW', 'Users', 'AccountTypes', 'Accounts', 'LookupValues', 'Lookups'] as const;
export type FeedFolder = (typeof feedFolders)[number];

export function isFeedFolder(value: string): value is FeedFolder {
  return (feedFolders as readonly string[]).includes(value);
}

export const incomingPath = (folder: FeedFolder) => `/Incoming/${folder}`;
export const outgoingPath = (folder: FeedFolder) => `/Outgoing/${folder}`;
export const archivePath = (folder: FeedFolder) => `/Archive/Incoming/${folder}`;

/** How an account authenticates: one method, either, or a key then a password (both required). */
export const authPolicies = ['password', 'publickey', 'password-or-publickey', 'publickey+password'] as const;
export type AuthPolicy = (typeof authPolicies)[number];
