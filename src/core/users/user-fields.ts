import type { Problems } from '../validation.ts';
import type { UserInput } from './user.types.ts';

/**
 * The rules of a user's own fields, the same for a POST, a PUT and a file row. `merged` says which
 * required fields the record ends up with (the input over the existing record).
 */
export function checkUserFields(
  problems: Problems,
  input: UserInput,
  merged: { login?: string | null; email?: string | null; firstname?: string | null; lastname?: string | null },
): void {
  if (problems.required('login', 'Login', merged.login)) problems.length('login', 'Login', merged.login, 255, 2);
  if (problems.required('email', 'Email', merged.email)) {
    problems.length('email', 'Email', merged.email, 255);
    problems.email('email', 'Email', merged.email);
  }
  if (problems.required('firstname', 'First name', merged.firstname)) problems.length('firstname', 'First name', merged.firstname, 40);
  if (problems.required('lastname', 'Last name', merged.lastname)) problems.length('lastname', 'Last name', merged.lastname, 40);
  problems.length('middlename', 'Middle name', input.middlename, 40);
  problems.length('mention-name', 'Mention name', input.mentionName, 255);
  problems.length('employee-number', 'Employee number', input.employeeNumber, 255);
  problems.phone('phone-work', 'Phone work', input.phoneWork);
  problems.phone('phone-mobile', 'Phone mobile', input.phoneMobile);
  problems.currency('default-currency', 'Default currency', input.defaultCurrency);
  problems.length('default-locale', 'Default locale', input.defaultLocale, 20);
  problems.length('sso-identifier', 'SSO identifier', input.ssoIdentifier, 255);
  if (input.authenticationMethod && !['password', 'sso'].includes(input.authenticationMethod)) {
    problems.add(
      'authentication-method',
      `Authentication method "${input.authenticationMethod}" must be one of password, sso (or coupa_credentials, saml)`,
    );
  }
  if (input.approvalLimit) {
    problems.decimal('approval-limit', 'Approval limit', input.approvalLimit.amount);
    problems.currency('approval-limit', 'Approval limit currency', input.approvalLimit.currency);
  }
}

/** The platform's spellings of authentication methods, as Workgate stores them. */
export function normalizeAuthenticationMethod(value: string): string {
  const method = value.toLowerCase();
  return method === 'coupa_credentials' ? 'password' : method === 'saml' ? 'sso' : method;
}
