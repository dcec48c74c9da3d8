import { type Server } from 'node:http';
import request from 'supertest';
import { MIGRATIONS, openStore, runMigrations } from '#store';
import { createScratchDatabase } from '../support/pg-admin.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ON_POSTGRES, startTestApp } from '../support/test-app.js';

const describePg = ON_POSTGRES ? describe : describe.skip;

describePg('store on PostgreSQL (npm run test:pg)', () => {
  const baseUrl = process.env.DATABASE_URL ?? '';

  it('two instances starting together on one empty database both come up; the schema is migrated once', async () => {
    const db = await createScratchDatabase(baseUrl);
    try {
      const [a, b] = await Promise.all([openStore({ kind: 'postgres', url: db.url }), openStore({ kind: 'postgres', url: db.url })]);
      try {
        const [appliedA, appliedB] = await Promise.all([runMigrations(a.dataSource), runMigrations(b.dataSource)]);
        // One of them ran every migration; the other, after waiting for the lock, found nothing left to do.
        expect([...appliedA, ...appliedB].sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
        const rows = await a.dataSource.query('SELECT name FROM schema_migrations');
        expect(rows).toHaveLength(MIGRATIONS.length);
        await expect(runMigrations(b.dataSource)).resolves.toEqual([]);
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('answers /health 503 with Retry-After while PostgreSQL is unreachable and 200 again without a restart', async () => {
    const { proxy, url } = await TcpProxy.inFrontOf(baseUrl);
    const t = await startTestApp({ env: { DATABASE_URL: url } });
    try {
      const server: Server = t.app.getHttpServer();
      await request(server).get('/health').expect(200);

      await proxy.cut();
      const started = Date.now();
      const down = await request(server).get('/health');
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.body.status).toBe('unhealthy');
      expect(Date.now() - started).toBeLessThan(3000); // never a hang

      // An Admin API call meanwhile: 503 in the admin format, not a 500.
      const admin = await request(server).get('/admin/accounts').set('Authorization', `Bearer ${t.config.adminToken}`);
      expect(admin.status).toBe(503);
      expect(admin.body.error.code).toBe('unavailable');

      await proxy.restore();
      const back = Date.now();
      let status = 0;
      while (Date.now() - back < 5000 && status !== 200) {
        status = (await request(server).get('/health')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      await request(server).get('/admin/accounts').set('Authorization', `Bearer ${t.config.adminToken}`).expect(200);
    } finally {
      await t.close();
      await proxy.cut();
    }
  });
});
