/**
 * Generated Users feeds (issue 5) with realistic widths and a manager hierarchy as a tree: user i
 * (1-based) reports to user floor(i / 8) (the first 7 have no manager), so about 7 levels over a
 * million users. Written as a stream: a million rows never sit in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export const FAN_OUT = 8;

const firstNames = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen', 'Priya', 'Wei', 'Olusegun', 'Anne-Sophie', 'Mateo'];
const lastNames = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Venkataraman', "O'Connor", 'Nakamura'];
const currencies = ['USD', 'USD', 'USD', 'EUR', 'GBP', 'INR', 'CAD'];
const roleSets = ['User', 'User', 'User', '"User,Buyer"', '"User,Accounts Payable"', '"User,Buyer,Edit as Approver"'];

export const DELTA_HEADER = 'Login,Status,Email,First Name,Last Name,Employee Number,Phone Work,Default Currency,User Role Names,Approver Login,Contingent Workforce User';
export const FULL_HEADER = 'Login,Email,First Name,Last Name,Employee Number,Phone Work,Default Currency,User Role Names,Approver Login,Contingent Workforce User';

/** A generated file's header names, read from its first line. */
export function headerOf(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(4096);
  fs.readSync(fd, buffer, 0, 4096, 0);
  fs.closeSync(fd);
  return buffer.toString('utf8').split(/\r?\n/)[0]!.split(',');
}

export function managerOf(i: number): number | null {
  return i >= FAN_OUT ? Math.floor(i / FAN_OUT) : null;
}

const login = (i: number) => `${firstNames[i % firstNames.length]!.toLowerCase().replace(/[^a-z]/g, '')}.${lastNames[(i * 7) % lastNames.length]!.toLowerCase().replace(/[^a-z]/g, '')}${i}`;

/** One record; `changed` alters the phone and role set (an update), `delta` adds the Status column. */
export function userLine(i: number, delta: boolean, changed: boolean): string {
  const first = firstNames[i % firstNames.length]!;
  const last = lastNames[(i * 7) % lastNames.length]!;
  const manager = managerOf(i);
  const phone = changed ? `+1 555-${String(100 + (i % 900)).padStart(3, '0')}-${String((i * 13) % 10000).padStart(4, '0')}` : `555-${String(200 + (i % 800))}-${String((i * 31) % 10000).padStart(4, '0')}`;
  const roles = roleSets[(i + (changed ? 1 : 0)) % roleSets.length]!;
  const fields = [
    login(i),
    ...(delta ? ['active'] : []),
    `${login(i)}@corp.example-enterprise.com`,
    first,
    last,
    `EMP-${String(i).padStart(8, '0')}`,
    phone,
    currencies[i % currencies.length]!,
    roles,
    manager === null ? '' : login(manager),
    i % 10 === 0 ? 'Yes' : 'No',
  ];
  return fields.join(',');
}

export interface GeneratedFiles {
  dir: string;
  rows: number;
  /** Delta, every user new. */
  deltaNew: string;
  /** Delta, the same users, every 10th changed (phone and roles). */
  deltaChanged: string;
  /** Full (no Status column), every 100th user left out. */
  fullMissing: string;
  bytes: Record<string, number>;
  /** Users the Full file leaves out. */
  missing: number;
}

async function writeLines(file: string, header: string, rows: number, line: (i: number) => string | undefined): Promise<number> {
  const out = fs.createWriteStream(file);
  let chunk = `${header}\r\n`;
  for (let i = 1; i <= rows; i++) {
    const text = line(i);
    if (text !== undefined) chunk += `${text}\r\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return fs.statSync(file).size;
}

export async function generateFiles(dir: string, rows: number): Promise<GeneratedFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const deltaNew = path.join(dir, `users-${rows}-delta-new.csv`);
  const deltaChanged = path.join(dir, `users-${rows}-delta-changed.csv`);
  const fullMissing = path.join(dir, `users-${rows}-full-missing.csv`);
  const bytes: Record<string, number> = {};
  bytes.deltaNew = await writeLines(deltaNew, DELTA_HEADER, rows, (i) => userLine(i, true, false));
  bytes.deltaChanged = await writeLines(deltaChanged, DELTA_HEADER, rows, (i) => userLine(i, true, i % 10 === 0));
  // The users left out are leaves of the tree (no one reports to them), so no row names a missing manager:
  // every 87th leaf, which is 1% of all users (7/8 of them are leaves).
  let missing = 0;
  bytes.fullMissing = await writeLines(fullMissing, FULL_HEADER, rows, (i) => (isMissing(i, rows) ? (missing++, undefined) : userLine(i, false, false)));
  return { dir, rows, deltaNew, deltaChanged, fullMissing, bytes, missing };
}

export function isMissing(i: number, rows: number): boolean {
  return i > rows / FAN_OUT && i % 87 === 0;
}
