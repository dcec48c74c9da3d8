import { Redis } from 'ioredis';
import { LimitStorage } from './limit-storage.js';
import { expiresAt, type RawAdmission, type WindowInput, type WindowResult } from './windows.js';

/**
 * The Lua twin of `evaluate` (windows.ts): Redis runs a script atomically, so one EVALSHA per admission is exact
 * across instances. State is one JSON value per key, expiring with its longest window.
 */
const ADMIT_LUA = `
local windows = cjson.decode(ARGV[1])
local now = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local raw = redis.call('GET', KEYS[1])
local st = {}
if raw then st = cjson.decode(raw) end
local fresh, room, ok = {}, {}, true
for i, w in ipairs(windows) do
  local s = st[i]
  if w.k == 'f' then
    if type(s) ~= 'table' or s.s ~= w.s then s = { s = w.s, n = 0 } end
    room[i] = (s.n + cost) <= w.l
  elseif w.k == 's' and w.q then
    local b, n = {}, 0
    if type(s) == 'table' and type(s.b) == 'table' then
      for _, x in ipairs(s.b) do
        if x[1] + w.q > now - w.w then b[#b + 1] = { x[1], x[2] }; n = n + x[2] end
      end
    end
    table.sort(b, function(x, y) return x[1] < y[1] end)
    s = { b = b, n = n }
    room[i] = (n + cost) <= w.l
  elseif w.k == 's' then
    local t = {}
    if type(s) == 'table' and type(s.t) == 'table' then
      for _, x in ipairs(s.t) do if x > now - w.w then t[#t + 1] = x end end
    end
    table.sort(t)
    s = { t = t }
    room[i] = (#t + cost) <= w.l
  else
    local tokens = w.b
    if type(s) == 'table' and s.k then tokens = math.min(w.b, s.k + math.max(0, now - s.ts) * w.r) end
    s = { k = tokens, ts = now }
    room[i] = tokens >= cost
  end
  fresh[i] = s
  if not room[i] then ok = false end
end
local results = {}
for i, w in ipairs(windows) do
  local s = fresh[i]
  local remaining, reset_at, retry_at
  if w.k == 'f' then
    if ok then s.n = s.n + cost end
    remaining = math.max(0, w.l - s.n)
    reset_at = w.e
    if room[i] then retry_at = now else retry_at = w.e end
  elseif w.k == 's' and w.q then
    local before = s.n
    local n = s.n
    if ok then
      local start = now - (now % w.q)
      local last = s.b[#s.b]
      if last and last[1] == start then last[2] = last[2] + cost else s.b[#s.b + 1] = { start, cost } end
      n = n + cost
    end
    remaining = math.max(0, w.l - n)
    if #s.b > 0 then reset_at = s.b[1][1] + w.q + w.w else reset_at = now end
    retry_at = now
    if not room[i] then
      local freed = 0
      for _, x in ipairs(s.b) do
        freed = freed + x[2]
        retry_at = x[1] + w.q + w.w
        if before - freed + cost <= w.l then break end
      end
    end
    s.n = nil
  elseif w.k == 's' then
    local len = #s.t
    if ok then for c = 1, cost do s.t[#s.t + 1] = now end end
    remaining = math.max(0, w.l - #s.t)
    if #s.t > 0 then reset_at = s.t[1] + w.w else reset_at = now end
    if room[i] then retry_at = now else retry_at = s.t[len - w.l + cost] + w.w end
  else
    if ok then s.k = s.k - cost end
    remaining = math.max(0, math.floor(s.k))
    reset_at = now + math.ceil((w.b - s.k) / w.r)
    if room[i] then retry_at = now else retry_at = now + math.ceil((cost - s.k) / w.r) end
  end
  results[i] = { remaining, reset_at, retry_at }
end
redis.call('SET', KEYS[1], cjson.encode(fresh), 'PX', ttl)
return cjson.encode({ a = ok, r = results })
`;

type RedisWithAdmit = Redis & { plangateAdmit(key: string, windows: string, now: number, cost: number, ttl: number): Promise<string> };

export class RedisLimitStorage extends LimitStorage {
  readonly name = 'redis' as const;
  readonly client: RedisWithAdmit;

  constructor(url: string, commandTimeoutMs = 250) {
    super();
    this.client = new Redis(url, {
      lazyConnect: true,
      // Fail at once while disconnected, so that the caller falls back to the store instead of waiting.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 200, 1000),
      keyPrefix: 'plangate:limit:',
    }) as RedisWithAdmit;
    this.client.on('error', () => {
      // Reported by the failover storage when a command fails; the client reconnects by itself.
    });
    this.client.defineCommand('plangateAdmit', { numberOfKeys: 1, lua: ADMIT_LUA });
  }

  async admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    const ttl = Math.max(1, expiresAt(windows, now) - now);
    const raw = await this.client.plangateAdmit(key, JSON.stringify(windows), Math.floor(now), cost, ttl);
    const parsed = JSON.parse(raw) as { a: boolean; r: WindowResult[] };
    return { admitted: parsed.a, results: parsed.r.map((r) => r.map(Number) as WindowResult) };
  }

  /** Connects, waiting at most `timeoutMs`; false if Redis is not there (the failover then counts in the store). */
  async connect(timeoutMs = 1000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
