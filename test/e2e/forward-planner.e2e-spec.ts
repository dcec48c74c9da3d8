import { type Server } from 'node:http';
import request from 'supertest';
import { createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { fp, fpEvent, fpLogin, importEvents } from '../factories/forward-planner.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Forward Planner v2', () => {
  let t: TestApp;
  let server: Server;
  let acct: AccountWithKey;

  beforeAll(async () => {
    t = await startTestApp();
    server = t.app.getHttpServer();
    acct = await createAccountWithKey(server);
  });
  afterAll(() => t.close());

  it('smoke', async () => {
    const s = await fpLogin(server, acct);
    expect(Object.keys(s)).toEqual(['userId', 'productId', 'email', 'token', 'refreshToken']);
    const imp = await importEvents(server, acct.slug, [fpEvent(), fpEvent({ time: '09:30', timezone: { timezoneOffset: 1 }, categories: [{categoryName: 'x', categoryId: 3}], country: {countryId: 3, countryName: 'C'} })]);
    console.log(imp.status, imp.body);
    const res = await fp(server, s.token).get('/api/v2/events/date?date=20300615');
    console.log(res.status, res.headers, JSON.stringify(res.body).slice(0, 2000));
    const form = await request(server).post('/api/v2/auth/renew').type('form').send({ refreshToken: s.refreshToken });
    console.log(form.status, form.body);
    console.log((await request(server).get('/API/V2/Events/Date/?Date=20300615').set('Authorization', `Bearer ${form.body.token}`)).status);
    console.log((await request(server).get('/api/v2/nothing')).status, (await request(server).post('/api/v2/events/date')).headers);
    console.log((await request(server).get('/api/v2')).body);
    console.log((await request(server).get('/api/v2/categories').set('Authorization', `Bearer ${form.body.token}`)).body);
    console.log((await request(server).get('/api/v2/countries').set('Authorization', `Bearer ${form.body.token}`)).body);
    console.log((await request(server).post('/api/v2/auth').set('Content-Type','text/plain').send('x')).body);
  });
});
