import { listen } from '../factories/planfix.factory.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/**
 * The gateway listening on a local port (for raw HTTP clients), started before the calling file's tests and closed
 * after them; read `t` and `base` inside tests, once `beforeAll` has run.
 */
export function useListeningApp(options: TestAppOptions = {}): { readonly t: TestApp; readonly base: string } {
  const state = {} as { t: TestApp; base: string };
  beforeAll(async () => {
    state.t = await startTestApp(options);
    state.base = await listen(state.t.app.getHttpServer());
  });
  afterAll(async () => {
    await state.t?.close();
  });
  return state;
}
