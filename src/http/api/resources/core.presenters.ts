import type { Account, AccountType, Lookup, LookupValue, Role, User, UserRef } from '../../../core/index.ts';
import { Decimal, type ApiObject } from '../render/values.ts';

/**
 * Presenters build every element of the output by name: nothing reaches a client unless it is
 * listed here, and the same tree renders to JSON and to XML.
 */
function audit(x: { createdAt: Date; updatedAt: Date; createdBy: string | null; updatedBy: string | null }): ApiObject {
  return { 'created-at': x.createdAt, 'updated-at': x.updatedAt, 'created-by': x.createdBy, 'updated-by': x.updatedBy };
}

export function presentUserRef(user: UserRef): ApiObject {
  return {
    id: user.id,
    login: user.login,
    email: user.email,
    firstname: user.firstname,
    lastname: user.lastname,
    fullname: `${user.firstname} ${user.lastname}`,
    'employee-number': user.employeeNumber,
    active: user.active,
  };
}

export function presentUser(user: User): ApiObject {
  return {
    id: user.id,
    login: user.login,
    email: user.email,
    firstname: user.firstname,
    lastname: user.lastname,
    fullname: `${user.firstname} ${user.lastname}`,
    middlename: user.middlename,
    'mention-name': user.mentionName,
    'employee-number': user.employeeNumber,
    active: user.active,
    'phone-work': user.phoneWork,
    'phone-mobile': user.phoneMobile,
    'default-currency': user.defaultCurrency === null ? null : { code: user.defaultCurrency },
    'default-locale': user.defaultLocale,
    manager: user.manager === null ? null : presentUserRef(user.manager),
    roles: user.roles.map((r) => ({ id: r.id, name: r.name, description: r.description })),
    'ccw-user': user.ccwUser,
    'sso-identifier': user.ssoIdentifier,
    'authentication-method': user.authenticationMethod,
    'approval-limit':
      user.approvalLimit === null ? null : { amount: new Decimal(user.approvalLimit.amount), currency: { code: user.approvalLimit.currency } },
    exported: user.exported,
    ...audit(user),
  };
}

export function presentRole(role: Role): ApiObject {
  return { id: role.id, name: role.name, description: role.description, predefined: role.predefined, ...audit(role) };
}

export function presentAccountType(chart: AccountType): ApiObject {
  return {
    id: chart.id,
    name: chart.name,
    active: chart.active,
    currency: { code: chart.currency },
    segments: chart.segments.map((s) => ({
      position: s.position,
      'field-type-code': s.fieldTypeCode,
      'field-type-name': s.fieldTypeName,
      lookup: s.lookup === null ? null : { id: s.lookup.id, name: s.lookup.name },
    })),
    exported: chart.exported,
    ...audit(chart),
  };
}

export function presentAccount(account: Account): ApiObject {
  const segments: ApiObject = {};
  for (let n = 1; n <= 20; n++) segments[`segment-${n}`] = account.segments[n - 1] ?? null;
  return {
    id: account.id,
    name: account.name,
    code: account.code,
    active: account.active,
    'account-type': { id: account.accountType.id, name: account.accountType.name },
    'account-type-id': account.accountType.id,
    ...segments,
    exported: account.exported,
    ...audit(account),
  };
}

export function presentLookup(lookup: Lookup): ApiObject {
  return {
    id: lookup.id,
    name: lookup.name,
    description: lookup.description,
    active: lookup.active,
    'level-names': lookup.levelNames.map((name, i) => ({ level: i + 1, name })),
    exported: lookup.exported,
    ...audit(lookup),
  };
}

export function presentLookupValue(value: LookupValue): ApiObject {
  return {
    id: value.id,
    name: value.name,
    description: value.description,
    active: value.active,
    lookup: { id: value.lookup.id, name: value.lookup.name },
    'lookup-id': value.lookup.id,
    'external-ref-num': value.externalRefNum,
    'external-ref-code': value.externalRefCode,
    parent: value.parent === null ? null : { id: value.parent.id, name: value.parent.name, 'external-ref-code': value.parent.externalRefCode },
    'parent-id': value.parent?.id ?? null,
    depth: value.depth,
    'is-default': value.isDefault,
    'account-type': value.accountType === null ? null : { id: value.accountType.id, name: value.accountType.name },
    exported: value.exported,
    ...audit(value),
  };
}
