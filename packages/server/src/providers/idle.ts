/**
 * fetch hands a kept-alive connection back to its pool a tick after the body is read; waiting for that
 * lets warmup() promise that the next request finds the connection ready.
 */
export function connectionReleased(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
