import { AdmissionBatcher } from './admission-batcher.js';
import { evaluate, type RawAdmission, type WindowInput, type WindowState } from './windows.js';

/** A storage with a round trip: counters in memory, each admission answered after `ms`, every trip recorded. */
function slowStorage(ms = 2) {
  const counters = new Map<string, WindowState[]>();
  const trips: { key: string; cost: number }[] = [];
  let failing = false;
  const admitNow = async (key: string, windows: WindowInput[], now: number, cost: number): Promise<RawAdmission> => {
    trips.push({ key, cost });
    await new Promise((r) => setTimeout(r, ms));
    if (failing) throw new Error('store unreachable');
    const { state, admission } = evaluate(counters.get(key) ?? [], windows, now, cost);
    counters.set(key, state);
    return admission;
  };
  return { admitNow, trips, fail: (on: boolean) => (failing = on) };
}

const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);
const minute = (limit: number): WindowInput[] => [
  { k: 'f', l: limit, s: Date.UTC(2026, 10, 27, 12, 0, 0), e: Date.UTC(2026, 10, 27, 12, 1, 0) },
];

describe('AdmissionBatcher', () => {
  it('admits exactly the limit out of 200 concurrent requests of a key, in a few round trips, each with its own remaining', async () => {
    const storage = slowStorage();
    const batcher = new AdmissionBatcher(storage.admitNow);
    const answers = await Promise.all(Array.from({ length: 200 }, () => batcher.admit('fp:account:a', minute(60), NOW)));
    const admitted = answers.filter((a) => a.admitted);
    expect(admitted).toHaveLength(60);
    expect(admitted.map((a) => a.results[0][0]).sort((x, y) => y - x)).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    expect(answers.filter((a) => !a.admitted).every((a) => a.results[0][0] === 0 && a.results[0][2] > NOW)).toBe(true);
    // one alone, then the 199 behind it: refused whole, admitted one by one up to the first refusal
    expect(storage.trips.length).toBe(1 + 1 + 60);
    expect(batcher.waiting).toBe(0);
  });

  it('admits a batch that fits in one trip, in arrival order of remaining counts', async () => {
    const storage = slowStorage();
    const batcher = new AdmissionBatcher(storage.admitNow);
    const answers = await Promise.all(Array.from({ length: 10 }, () => batcher.admit('k', minute(500), NOW)));
    expect(answers.every((a) => a.admitted)).toBe(true);
    expect(answers.map((a) => a.results[0][0])).toEqual([499, 498, 497, 496, 495, 494, 493, 492, 491, 490]);
    expect(storage.trips.map((t) => t.cost)).toEqual([1, 9]);
  });

  it('keeps keys apart', async () => {
    const storage = slowStorage();
    const batcher = new AdmissionBatcher(storage.admitNow);
    const answers = await Promise.all(['a', 'b', 'a', 'b', 'c'].map((k) => batcher.admit(k, minute(1), NOW)));
    expect(answers.map((a) => a.admitted)).toEqual([true, true, false, false, true]);
  });

  it('fails the batch and everything queued behind a failed trip, and starts afresh after', async () => {
    const storage = slowStorage(5);
    const batcher = new AdmissionBatcher(storage.admitNow);
    storage.fail(true);
    const answers = await Promise.allSettled(Array.from({ length: 5 }, () => batcher.admit('k', minute(10), NOW)));
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(storage.trips).toHaveLength(1); // the queued four never made a trip of their own
    expect(batcher.waiting).toBe(0);
    storage.fail(false);
    expect((await batcher.admit('k', minute(10), NOW)).results[0][0]).toBe(9);
  });

  it('passes an admission of another cost straight through', async () => {
    const storage = slowStorage();
    const batcher = new AdmissionBatcher(storage.admitNow);
    expect((await batcher.admit('k', minute(10), NOW, 4)).results[0][0]).toBe(6);
    expect(storage.trips).toEqual([{ key: 'k', cost: 4 }]);
  });
});
