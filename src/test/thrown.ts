/** For tests: the error a call throws, checked to be of the expected class; a call that returns fails the test. */
import { expect } from 'vitest';

export function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected ${type.name} to be thrown, but the call returned`);
}
