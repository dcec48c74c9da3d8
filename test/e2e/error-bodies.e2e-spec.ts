import { ProtocolExceptionFilter } from '../../src/pipeline/pipeline.module.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { errorBodies } from '../support/error-bodies.js';

/**
 * The error bodies of every protocol for every error kind, as committed snapshots (__snapshots__/): rendered by the
 * pipeline's one exception filter, which picks the renderer of the protocol that owns each request's path. A change
 * to any error answer shows in review; `npm test -- test/e2e/error-bodies -u` rewrites them after an intended one.
 */
const FILTER = new ProtocolExceptionFilter(PROTOCOLS);

describe('toAdminError', () => {
  it('answers every error kind as its committed snapshot says', () => {
    expect(errorBodies(FILTER, [{ method: 'GET', path: '/admin/accounts' }])).toMatchSnapshot();
  });
});

describe('toForwardPlannerError', () => {
  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/v2/events/latest' },
      { method: 'GET', path: '/api/v2/nowhere' },
      { method: 'POST', path: '/api/v2/auth' },
    ];
    expect(errorBodies(FILTER, requests)).toMatchSnapshot();
  });
});

describe('Planfix errors', () => {
  it('answers every error kind as its committed snapshot says', () => {
    expect(errorBodies(FILTER, [{ method: 'POST', path: '/xml/', planfix: { remaining: 41 } }])).toMatchSnapshot();
  });
});

describe('Planpoint errors', () => {
  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/projects/mine' },
      { method: 'GET', path: '/api/projects/abc/frobnicate' },
    ];
    expect(errorBodies(FILTER, requests)).toMatchSnapshot();
  });
});

describe('PlanSync errors', () => {
  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/v1/touchpoints' },
      { method: 'GET', path: '/api/v1/nowhere' },
      { method: 'GET', path: '/api/v1/files/report.pdf' },
    ];
    expect(errorBodies(FILTER, requests)).toMatchSnapshot();
  });
});

describe('toReverseEtlError', () => {
  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/reverse-etl/syncs' },
      { method: 'GET', path: '/api/reverse-etl/nowhere' },
    ];
    expect(errorBodies(FILTER, requests)).toMatchSnapshot();
  });
});
