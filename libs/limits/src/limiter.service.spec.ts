import { type DomainError } from '#errors';
import { type Pruner } from '#store';
import { LimitStorage } from './limit-storage.js';
import { type LimitStorages } from './limit-storages.js';
import { Limiter } from './limiter.service.js';
import { type RawAdmission } from './windows.js';

/** A storage that never answers: what a store or Redis looks like from a request that waits behind too many others. */
class SilentStorage extends LimitStorage {
  readonly name = 'store' as const;
  admit(): Promise<RawAdmission> {
    return new Promise(() => undefined);
  }
}

describe('Limiter, when its storage does not answer in time', () => {
  const storage = new SilentStorage();
  // the pruner only takes the limiter's cleanup task here
  const limiter = new Limiter(
    storage,
    { durable: storage } as unknown as LimitStorages,
    { register: () => undefined } as unknown as Pruner,
  );
  const policy = { name: 'p', windows: [{ kind: 'sliding' as const, name: 'p', limit: 5, seconds: 60 }] };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** What `count` admissions at once ended with (an admission never answers here: each must be an error). */
  async function outcome(count: number): Promise<DomainError[]> {
    const pending = Array.from({ length: count }, (_, i) =>
      limiter.admit(policy, `s${i}`).then(
        (): DomainError => {
          throw new Error('admitted without an answer from the storage');
        },
        (e: unknown) => e as DomainError,
      ),
    );
    await jest.advanceTimersByTimeAsync(2000);
    return Promise.all(pending);
  }

  it('says its storage did not answer when few admissions were waiting', async () => {
    const [error] = await outcome(1);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryAfter: 5, message: "the rate limiter's store did not answer in time" });
  });

  it('says the gateway is overloaded when many admissions were waiting at once', async () => {
    const errors = await outcome(100);
    expect(new Set(errors.map((e) => e.message))).toEqual(new Set(['the gateway is overloaded: try again shortly']));
    expect(errors.every((e) => e.code === 'UNAVAILABLE' && e.retryAfter === 5)).toBe(true);
  });
});
