import { namePattern, refusedCcwLayout } from './ccw-layout.ts';
import type { Layout } from './layout.ts';

/** Workforce User, stand-alone deployments only: Workgate always runs with Core, whose users are synchronized. */
export const standaloneUserLayout: Layout = refusedCcwLayout(
  { id: 'ccw.user', title: 'Workforce users', fileNames: 'User_...', pattern: namePattern('User') },
  'this Workgate runs with Core: users come from /Incoming/Users and synchronization; the stand-alone Workforce User file is not accepted',
);

/**
 * Contingent Worker External Reference: it updates contingent workers (by CCW CW Number), which
 * Workforce does not hold in this Workgate; refused until it does.
 */
export const cwExternalReferenceLayout: Layout = refusedCcwLayout(
  { id: 'ccw.cw-external-reference', title: 'Contingent worker external references', fileNames: 'CWExternalReference_...', pattern: namePattern('CWExternalReference') },
  'contingent workers are not managed by this Workgate yet: there is no contingent worker whose external references a CWExternalReference file could set, so it is not accepted',
);
