import request from 'supertest';
import { DemoSeedService } from '../../src/demo/demo-seed.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The first start of an empty embedded store: what `npm start` gives a newcomer on a fresh machine. Always on the
 * embedded store (also under test:pg), since that is where the demo is made without being asked.
 */
describe('demo data', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { DATABASE_URL: '', SEED_DEMO: '' } });
  });
  afterAll(() => t.close());

  it('creates the demo account with a key that works on PlanSync, with sheets and touchpoints', async () => {
    const seeded = t.app.get(DemoSeedService).seeded!;
    expect(seeded.key).toMatch(/^psk_/);
    const server = t.app.getHttpServer();
    const year = new Date().getUTCFullYear();
    const list = await request(server).get('/api/v1/spreadsheets').set('X-API-Key', seeded.key).expect(200);
    expect(list.body.years['Client List']).toEqual([year - 1, year]);
    const data = await request(server).get(`/api/v1/spreadsheets/Client%20List/data?year=${year}`).set('X-API-Key', seeded.key).expect(200);
    expect(data.body.count).toBe(3);
    const tps = await request(server).get(`/api/v1/touchpoints?year=${year}`).set('X-API-Key', seeded.key).expect(200);
    expect(tps.body.count).toBe(2);
  });
});
