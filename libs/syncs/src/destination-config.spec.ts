import { type FieldIssue } from '#errors';
import { fullConfig, parseDestinationConfig, postgresTarget, scrub } from './destination-config.js';

describe('destination config', () => {
  it('keeps webhook secrets apart from what is shown', () => {
    const { config, issues } = parseDestinationConfig('webhook', {
      url: 'https://user:pw@hooks.example.com:8443/in?token=abc',
      headers: { Authorization: 'Bearer s3cr3t' },
      signing_secret: 'shh',
      objects: [
        { name: 'Touchpoints', fields: [{ name: 'external_id', type: 'string', isIdentifier: true, required: true, max_length: 64 }] },
      ],
    });
    expect(issues).toEqual([]);
    expect(config!.public).toEqual({
      method: 'POST',
      batchSize: 100,
      timeoutMs: 10_000,
      maxRetries: 3,
      objects: [
        { name: 'Touchpoints', fields: [{ name: 'external_id', type: 'string', required: true, isIdentifier: true, maxLength: 64 }] },
      ],
      urlShown: 'https://hooks.example.com:8443/in',
      headerNames: ['Authorization'],
      signing: true,
    });
    expect(JSON.stringify(config!.public)).not.toMatch(/s3cr3t|token=abc|pw@|shh/);
    expect(config!.secrets).toEqual({
      url: 'https://user:pw@hooks.example.com:8443/in?token=abc',
      headers: { Authorization: 'Bearer s3cr3t' },
      signingSecret: 'shh',
    });
    expect(parseDestinationConfig('webhook', fullConfig(config!)).config).toEqual(config);
  });

  it('shows host, port, database and schema of a postgres URL', () => {
    const { config } = parseDestinationConfig('postgres', {
      url: 'postgresql://u:secret@db.example.com/crm?sslmode=require',
      schema: 'sales',
    });
    expect(config!.public).toEqual({
      schema: 'sales',
      batchSize: 500,
      timeoutMs: 10_000,
      maxRetries: 3,
      host: 'db.example.com',
      port: 5432,
      database: 'crm',
    });
  });

  it.each([
    ['salesforce', { url: 'https://x' }, 'connector', 'invalid_value'],
    ['webhook', undefined, 'config', 'missing'],
    ['webhook', { url: 'ftp://x' }, 'config.url', 'invalid_url'],
    ['webhook', { url: 'not a url' }, 'config.url', 'invalid_url'],
    ['webhook', {}, 'config.url', 'missing'],
    ['webhook', { url: 'https://x', headers: { Host: 'evil' } }, 'config.headers.Host', 'invalid_header'],
    ['webhook', { url: 'https://x', headers: { 'X-A': 'a\r\nB: c' } }, 'config.headers.X-A', 'invalid_header'],
    ['webhook', { url: 'https://x', headers: { 'bad name': 'v' } }, 'config.headers.bad name', 'invalid_header'],
    ['webhook', { url: 'https://x', method: 'GET' }, 'config.method', 'invalid_value'],
    ['webhook', { url: 'https://x', batchSize: 0 }, 'config.batchSize', 'invalid_value'],
    ['webhook', { url: 'https://x', batchSize: 5, batch_size: 6 }, 'config.batchSize', 'duplicate_field'],
    ['webhook', { url: 'https://x', timeoutMs: 999 }, 'config.timeoutMs', 'invalid_value'],
    ['webhook', { url: 'https://x', objects: [{ name: '1bad', fields: [{ name: 'a' }] }] }, 'config.objects[0].name', 'invalid_value'],
    [
      'webhook',
      { url: 'https://x', objects: [{ name: 'A', fields: [{ name: 'a', type: 'money' }] }] },
      'config.objects[0].fields[0].type',
      'invalid_value',
    ],
    ['postgres', { url: 'mysql://x/db' }, 'config.url', 'invalid_url'],
    ['postgres', { url: 'postgres://x' }, 'config.url', 'invalid_url'],
    ['postgres', { url: 'postgres://x/db', batchSize: 5001 }, 'config.batchSize', 'invalid_value'],
  ])('%s %j → %s %s', (connector, config, field, type) => {
    const { config: parsed, issues } = parseDestinationConfig(connector, config);
    expect(parsed).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ field, type }));
  });

  it('scrubs credentials out of driver messages', () => {
    expect(scrub('password authentication failed for user "bob" at postgres://bob:pw@h/db', ['pw'])).toBe(
      'password authentication failed for user "bob" at postgres://[redacted]',
    );
  });

  // What the address rule cannot judge is refused before pg-connection-string reads the URL (it would read files).
  it.each([
    ['postgres://u@8.8.8.8/db?host=127.0.0.1', 'forbidden_address', /'host' parameter/],
    ['postgres://u@8.8.8.8/db?host=/var/run/postgresql', 'forbidden_address', /'host' parameter/],
    ['postgres://u@8.8.8.8/db?host=169.254.169.254', 'forbidden_address', /'host' parameter/],
    ['postgres://u@8.8.8.8/db?ho%73t=127.0.0.1', 'forbidden_address', /'host' parameter/],
    ['postgres://u@8.8.8.8/db?hostaddr=127.0.0.1', 'forbidden_address', /'hostaddr' parameter/],
    ['postgres://u@%2Fvar%2Frun%2Fpostgresql/db', 'forbidden_address', /socket/],
    ['postgres://u@db1.invalid,db2.invalid/db', 'forbidden_address', /one host/],
    ['postgres://u@8.8.8.8/db?sslcert=/etc/passwd', 'invalid_url', /file/],
    ['postgres://u@8.8.8.8/db?sslkey=/etc/shadow', 'invalid_url', /file/],
    ['postgres://u@8.8.8.8/db?sslrootcert=/proc/self/environ', 'invalid_url', /file/],
    ['postgres://u@8.8.8.8/db?sslmode=require&ssl%63ert=/etc/passwd', 'invalid_url', /file/],
    ['postgres://u@8.8.8.8/db?port=5433', 'invalid_url', /'port' parameter is not accepted/],
    ['postgres://u@8.8.8.8/db?user=postgres', 'invalid_url', /'user' parameter is not accepted/],
    ['postgres://u@8.8.8.8/db?x=%zz', 'invalid_url', /bare %/],
  ])('refuses %s (%s)', (url, type, message) => {
    const issues: FieldIssue[] = [];
    expect(postgresTarget(url, issues)).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ field: 'config.url', type, issue: expect.stringMatching(message) })]);
    expect(parseDestinationConfig('postgres', { url }).issues).toEqual([expect.objectContaining({ field: 'config.url', type })]);
  });

  it('reads the host, port and TLS settings pg will use, keeping sslmode', () => {
    const issues: FieldIssue[] = [];
    expect(postgresTarget('postgresql://bob:p%40ss@db.example.com:6543/crm?sslmode=no-verify&client_encoding=UTF8', issues)).toEqual({
      host: 'db.example.com',
      port: 6543,
      database: 'crm',
      user: 'bob',
      password: 'p@ss',
      ssl: { rejectUnauthorized: false },
      client_encoding: 'UTF8',
    });
    expect(postgresTarget('postgres://[::1]/crm?sslmode=disable', issues)).toEqual({
      host: '::1',
      port: 5432,
      database: 'crm',
      ssl: false,
    });
    expect(postgresTarget('postgres://h.example/crm?ssl=true', issues)).toMatchObject({ ssl: true });
    expect(issues).toEqual([]);
  });
});
