import type { ParkedEvent, Repair, SyncStatus } from '../../../sync/index.ts';
import type { DesignationReport, SegmentSlot, SegmentValue, ValueCounts, WorkforceSettings, WorkforceUser, WorkLocation } from '../../../workforce/index.ts';
import { Decimal, type ApiObject } from '../render/values.ts';

/** Every element of the /api/ccw contract, built by name (nothing else reaches a client). */
export function presentWorkforceUser(user: WorkforceUser): ApiObject {
  return {
    id: user.id,
    'user-name': user.userName,
    'first-name': user.firstName,
    'last-name': user.lastName,
    'nick-name': user.nickName,
    email: user.email,
    'phone-number': user.phoneNumber,
    'default-currency': user.defaultCurrency === null ? null : { code: user.defaultCurrency },
    'employee-number': user.employeeNumber,
    status: user.active ? 'active' : 'inactive',
    supervisor: user.supervisor === null ? null : { id: user.supervisor.id, 'user-name': user.supervisor.userName },
    roles: user.roles.map((name) => ({ name })),
    'approval-limit':
      user.approvalLimit === null ? null : { amount: new Decimal(user.approvalLimit.amount), currency: { code: user.approvalLimit.currency } },
    'created-at': user.createdAt,
    'updated-at': user.updatedAt,
  };
}

export function presentSegment(slot: SegmentSlot): ApiObject {
  return { slot: slot.slot, name: slot.name, owner: slot.owner };
}

export function presentSegmentValue(value: SegmentValue): ApiObject {
  return {
    id: value.id,
    slot: value.slot,
    name: value.name,
    code: value.code,
    description: value.description,
    active: value.active,
    source: value.fromChart ? 'chart-of-accounts' : 'hr',
    'created-at': value.createdAt,
    'updated-at': value.updatedAt,
  };
}

export function presentWorkLocation(location: WorkLocation): ApiObject {
  return {
    id: location.id,
    code: location.code,
    name: location.name,
    'address-line1': location.addressLine1,
    'address-line2': location.addressLine2,
    city: location.city,
    state: location.state,
    'postal-code': location.postalCode,
    country: location.country,
    active: location.active,
    'created-at': location.createdAt,
    'updated-at': location.updatedAt,
  };
}

/**
 * Settings. JSON keys segment-names by slot, as PUT takes them ({"4": "Site Location"}); XML cannot name
 * an element "4", so XML lists them as <segment-name><slot>4</slot><name>...</name></segment-name>.
 */
export function presentSettings(settings: WorkforceSettings, slots: SegmentSlot[], format: 'json' | 'xml'): ApiObject {
  const names = Object.entries(settings.segmentNames).sort(([a], [b]) => Number(a) - Number(b));
  return {
    'chart-of-accounts': settings.chart === null ? null : { id: settings.chart.sourceId, name: settings.chart.name },
    'segment-names': format === 'json' ? Object.fromEntries(names) : names.map(([slot, name]) => ({ slot: Number(slot), name })),
    segments: slots.map(presentSegment),
  };
}

export function presentDesignation(report: DesignationReport & { values: Record<number, ValueCounts> }): ApiObject {
  const chart = (c: DesignationReport['current']) => (c === null ? null : { id: c.sourceId, name: c.name });
  return {
    previous: chart(report.previous),
    current: chart(report.current),
    moved: report.moved.map((m) => ({
      slot: m.slot,
      before: { owner: m.before.owner, name: m.before.name },
      after: { owner: m.after.owner, name: m.after.name },
      deactivated: m.deactivated,
    })),
    values: Object.entries(report.values).map(([slot, c]) => ({
      slot: Number(slot),
      created: c.created,
      updated: c.updated,
      unchanged: c.unchanged,
      deactivated: c.deactivated,
      conflicts: c.conflicts.map((name) => ({ name })),
    })),
  };
}

export function presentSyncStatus(status: SyncStatus): ApiObject {
  return {
    pending: status.pending,
    retrying: status.retrying,
    parked: status.parked,
    'oldest-pending-at': status.oldestPendingAt,
    'lag-seconds': new Decimal(status.lagSeconds.toFixed(3)),
    'last-applied-at': status.lastAppliedAt,
    'last-error':
      status.lastError === null
        ? null
        : { 'event-id': status.lastError.eventId, entity: status.lastError.entity, 'entity-id': status.lastError.entityId, message: status.lastError.message },
    'parked-events': status.parkedEvents.map(presentEvent),
    'pending-events': status.pendingEvents.map((e) => ({ ...presentEvent(e), 'next-attempt-at': e.nextAttemptAt })),
  };
}

function presentEvent(e: ParkedEvent): ApiObject {
  return { id: e.id, entity: e.entity, 'entity-id': e.entityId, attempts: e.attempts, 'last-error': e.lastError, 'created-at': e.createdAt };
}

export function presentRepairs(repairs: Repair[]): ApiObject {
  return { count: repairs.length, repairs: repairs.map((r) => ({ what: r.what, key: r.key, action: r.action })) };
}
