import { type Principal } from '#identity';
import { clientScope, inScope } from './row-visibility.js';

function principal(role: Principal['role'], assignedClients: string[]): Principal {
  return {
    accountId: 'a',
    accountSlug: 'acme',
    accountPlan: 'pro',
    accountSettings: {},
    userId: 'u',
    userNumber: 1,
    username: 'u',
    email: 'u@x',
    role,
    assignedClients,
    credentialId: 'k',
  };
}

const CLIENTS = ['Acme Corp', 'Beta LLC', 'Gamma Inc'];
const visible = (p: Principal, req?: Parameters<typeof clientScope>[1]) => CLIENTS.filter((c) => inScope(clientScope(p, req), c));

describe('row visibility (CallerBound ∩ RequestBound)', () => {
  const admin = principal('admin', []);
  const advisor = principal('advisor', [' acme corp ']);

  it.each([
    ['admin, no parameters', admin, undefined, CLIENTS],
    ['admin previewing an advisor with a list', admin, { role: 'advisor', assignedClients: ['Beta LLC'] }, ['Beta LLC']],
    ['admin with role=admin and no list', admin, { role: 'admin' }, CLIENTS],
    ['admin with a non-admin role and no list: its own (empty) clients', admin, { role: 'advisor' }, []],
    ['admin with an empty list', admin, { assignedClients: [] }, []],
    ['advisor, no parameters: its clients, names compared trimmed and case-insensitively', advisor, undefined, ['Acme Corp']],
    ['advisor asking role=admin: still only its own', advisor, { role: 'admin' }, ['Acme Corp']],
    ["advisor naming another's client: nothing", advisor, { assignedClients: ['Beta LLC'] }, []],
    ['advisor naming its own and another: only its own', advisor, { assignedClients: ['ACME CORP', 'Beta LLC'] }, ['Acme Corp']],
    ['a non-admin with no clients sees nothing', principal('recordkeeper', []), undefined, []],
  ])('%s', (_what, p, req, expected) => {
    expect(visible(p, req)).toEqual(expected);
  });
});
