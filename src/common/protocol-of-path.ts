/** The module that owns a path: errors raised before routing are answered in that protocol's format. */
export type ProtocolName = 'admin' | 'plansync' | 'forward-planner' | 'planfix' | 'planpoint' | 'reverse-etl' | 'gateway';

const PLANPOINT = /^\/api\/(users|projects|groups|enterprises|floors|units|leads)(\/|$)/;
const REVERSE_ETL = /^(\/v1)?\/api\/(reverse-etl|dlq|runs)(\/|$)/;

export function protocolOfPath(path: string): ProtocolName {
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path === '/health' || path === '/health/' || path === '/api/v1' || path.startsWith('/api/v1/')) return 'plansync';
  if (path === '/api/v2' || path.startsWith('/api/v2/')) return 'forward-planner';
  if (path === '/xml' || path.startsWith('/xml/')) return 'planfix';
  if (REVERSE_ETL.test(path)) return 'reverse-etl';
  if (PLANPOINT.test(path)) return 'planpoint';
  return 'gateway';
}
