export interface UserRef {
  id: number;
  login: string;
  email: string;
  firstname: string;
  lastname: string;
  employeeNumber: string | null;
  active: boolean;
}

export interface RoleRef {
  id: number;
  name: string;
  description: string | null;
}

export interface Money {
  /** Decimal text, e.g. "1000.00": amounts never pass through floating point. */
  amount: string;
  currency: string;
}

export const authenticationMethods = ['password', 'sso'] as const;
export type AuthenticationMethod = (typeof authenticationMethods)[number];

export interface User {
  id: number;
  login: string;
  email: string;
  firstname: string;
  lastname: string;
  middlename: string | null;
  mentionName: string | null;
  employeeNumber: string | null;
  active: boolean;
  phoneWork: string | null;
  phoneMobile: string | null;
  defaultCurrency: string | null;
  defaultLocale: string | null;
  manager: UserRef | null;
  roles: RoleRef[];
  ccwUser: boolean;
  ssoIdentifier: string | null;
  authenticationMethod: AuthenticationMethod | null;
  approvalLimit: Money | null;
  exported: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

/** How a request or a file row names another user. */
export type UserKey = { id: number } | { login: string } | { employeeNumber: string } | { email: string };
export type RoleKey = { id: number } | { name: string };

/** Everything a client may set. Absent = not given (a PUT leaves it); null = clear it. */
export interface UserInput {
  login?: string;
  email?: string;
  firstname?: string;
  lastname?: string;
  middlename?: string | null;
  mentionName?: string | null;
  employeeNumber?: string | null;
  active?: boolean;
  phoneWork?: string | null;
  phoneMobile?: string | null;
  defaultCurrency?: string | null;
  defaultLocale?: string | null;
  manager?: UserKey | null;
  roles?: RoleKey[];
  ccwUser?: boolean;
  ssoIdentifier?: string | null;
  authenticationMethod?: string | null;
  approvalLimit?: Money | null;
}

/** Who makes a change, recorded in created-by/updated-by, e.g. "api:oauth:erp-client" or "feed:run 12". */
export type Actor = string;
