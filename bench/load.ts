import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  non2xx: number;
  /** Failed answers by status code, socket error or timeout (both load generators fill it). */
  failures?: Record<string, number>;
}

export interface Target {
  path: string;
  /** GET unless given; a body is sent as is (set its Content-Type in headers). */
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Several callers: each request takes the next of these header sets (many keys of one account). */
  rotate?: Record<string, string>[];
}

/**
 * One autocannon run. Closed loop (`rate` unset): as fast as `connections` clients go. With `rate`: a fixed total
 * request rate spread over the connections (an open loop as far as autocannon allows), for latency at a known load.
 */
export async function load(
  url: string,
  target: Target,
  seconds: number,
  options: { connections?: number; rate?: number } = {},
): Promise<LoadResult> {
  let turn = 0;
  const rotate = target.rotate;
  const result = await autocannon({
    url: url + target.path,
    method: target.method ?? 'GET',
    body: target.body,
    headers: target.headers,
    ...(rotate?.length
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, ...rotate[turn++ % rotate.length] } }),
            },
          ],
        }
      : {}),
    connections: options.connections ?? 10,
    duration: seconds,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
  });
  const latency = result.latency as unknown as Record<string, number>;
  return {
    rps: result.requests.average,
    p50: latency.p50,
    p99: latency.p99,
    p999: latency.p99_9 ?? latency['p99.9'] ?? latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    failures: failuresOf(result),
  };
}

/** autocannon's answers that were not 2xx, by status code, and its socket errors and timeouts. */
function failuresOf(result: autocannon.Result): Record<string, number> {
  const failures: Record<string, number> = {};
  const byStatus = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  for (const [status, { count }] of Object.entries(byStatus)) if (!status.startsWith('2') && count > 0) failures[status] = count;
  if (result.errors) failures['socket errors'] = result.errors;
  if (result.timeouts) failures.timeouts = result.timeouts;
  return failures;
}
