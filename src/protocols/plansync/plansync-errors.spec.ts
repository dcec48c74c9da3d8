import { errorBodies } from '../../../test/support/error-bodies.js';
import { PlanSyncExceptionFilter } from './plansync-exception.filter.js';

describe('PlanSync errors', () => {
  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/v1/touchpoints' },
      { method: 'GET', path: '/api/v1/nowhere' },
      { method: 'GET', path: '/api/v1/files/report.pdf' },
    ];
    expect(errorBodies(new PlanSyncExceptionFilter(), requests)).toMatchSnapshot();
  });
});
