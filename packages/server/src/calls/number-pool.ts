/**
 * Outbound caller numbers. Each call holds one number from dial to hang-up, so the pool's size is also
 * the node's channel limit (Telnyx accounts start with a low one).
 */
export class NumberPool {
  private readonly free: string[];
  private readonly all: ReadonlySet<string>;

  constructor(numbers: readonly string[]) {
    this.free = [...numbers];
    this.all = new Set(numbers);
  }

  has(number: string): boolean {
    return this.all.has(number);
  }

  acquire(): string | null {
    return this.free.shift() ?? null;
  }

  release(number: string): void {
    if (this.all.has(number) && !this.free.includes(number)) this.free.push(number);
  }

  get available(): number {
    return this.free.length;
  }
}

/** The sandbox's own caller numbers: +1 202 555 0200 onward, outside the magic-number range. */
export function sandboxCallerNumbers(count: number): string[] {
  const n = Math.min(count, 9800);
  return Array.from({ length: n }, (_, i) => `+1202555${String(200 + i).padStart(4, "0")}`);
}
