/** How long a code stays on a simulated user's screen: longer than any verification call rings and talks. */
const SHOWN_FOR_MS = 10 * 60_000;

/**
 * The codes the sandbox's simulated phone owners were shown. A real account holder reads the code of a
 * phone verification off the service's answer (POST /me/phone) and types it when their phone asks; the
 * call itself never says it. The sandbox's owners (the 0118 line) read it here instead: the composition
 * root hands the verifier this screen only on the sandbox, as it hands the voice agent the spoken-text
 * journal, so nothing in the verifier branches on the sandbox.
 */
export class ShownCodes {
  private readonly codes = new Map<string, { code: string; until: number }>();

  show(phone: string, code: string, now = Date.now()): void {
    for (const [number, shown] of this.codes) if (shown.until <= now) this.codes.delete(number);
    this.codes.set(phone, { code, until: now + SHOWN_FOR_MS });
  }

  read(phone: string, now = Date.now()): string | undefined {
    const shown = this.codes.get(phone);
    return shown && shown.until > now ? shown.code : undefined;
  }
}
