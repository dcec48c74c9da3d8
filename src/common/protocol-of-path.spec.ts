import { protocolOfPath } from './protocol-of-path.js';

describe('protocolOfPath', () => {
  it.each([
    ['/admin/accounts', 'admin'],
    ['/health', 'plansync'],
    ['/api/v1/spreadsheets', 'plansync'],
    ['/api/v2/auth', 'forward-planner'],
    ['/xml/', 'planfix'],
    ['/xml', 'planfix'],
    ['/api/projects/find', 'planpoint'],
    ['/api/users/login', 'planpoint'],
    ['/api/reverse-etl/syncs', 'reverse-etl'],
    ['/v1/api/dlq', 'reverse-etl'],
    ['/api/runs/1', 'reverse-etl'],
    ['/api/v10', 'gateway'],
    ['/xmlfoo', 'gateway'],
    ['/', 'gateway'],
  ])('%s belongs to %s', (path, protocol) => {
    expect(protocolOfPath(path)).toBe(protocol);
  });
});
