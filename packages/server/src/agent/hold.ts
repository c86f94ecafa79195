import type { AgentVoice } from "./agent-voice.ts";
import type { AgentEnd } from "./call-end.ts";
import { type Answerer, whatAnswered } from "./phrases.ts";
import type { CallHistory } from "./transcript-history.ts";

/**
 * A hold queue: the agent waits silently, judges each announcement for what took the call off hold,
 * and gives up once the hold budget is spent.
 */
export class HoldQueue {
  private startedAt = 0;

  constructor(
    private readonly history: CallHistory,
    private readonly now: () => number,
    private readonly budgetMs: number,
  ) {}

  enter(why: string, line: Pick<AgentVoice, "stopSpeaking"> | null): void {
    this.startedAt = this.now();
    line?.stopSpeaking();
    this.history.system(`On hold (${why}); the agent waits silently.`);
  }

  /** What the words heard on hold say is on the line now; "hold" while the queue goes on. */
  heard(text: string): Answerer {
    this.history.user(text);
    const after = whatAnswered(text);
    if (after === "hold") return after;
    if (after === "person" || after === "screener")
      this.history.system("A person is on the line; the hold is over.");
    return after;
  }

  /** The end when the hold budget is spent, or null to keep waiting. */
  givenUp(now: number): AgentEnd | null {
    if (now - this.startedAt < this.budgetMs) return null;
    const reason = `gave up waiting on hold after ${Math.round((now - this.startedAt) / 1000)} seconds`;
    return { reason, end: { cause: "agent_ended", message: reason } };
  }
}
