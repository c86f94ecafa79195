import type { FakeLlmOutcome, FakeLlmRequestView } from "../fakes/llm-script.ts";

interface Line {
  index: number;
  who: string;
  text: string;
}

/** The numbered transcript lines of a result request ("[3] them: ..."). */
function linesOf(prompt: string): Line[] {
  const section = prompt.split("# Transcript\n")[1] ?? "";
  return [...section.matchAll(/^\[(\d+)\] (\w+): (.*)$/gm)].map((m) => ({
    index: Number(m[1]),
    who: m[2]!,
    text: m[3]!,
  }));
}

/**
 * How a sensible model judges a finished call when asked for its result: from the task and the numbered
 * transcript it is given (never from a persona's internals), citing the lines that say each fact.
 */
export function scriptedJudgement(request: FakeLlmRequestView): FakeLlmOutcome {
  const prompt = request.lastUserText;
  const to = /# Number called\n(\S+)/.exec(prompt)?.[1] ?? "the number";
  const lines = linesOf(prompt);
  const them = lines.filter((l) => l.who === "them");
  const find = (who: string, re: RegExp) => lines.filter((l) => l.who === who && re.test(l.text));
  const cite = (l: Line) => ({ text: l.text, turns: [l.index] });

  const confirmed = find("them", /is confirmed|confirmed for/i);
  const lacked = find("agent", /don't have (the )?[\w ]+?( with me)?\./i)
    .map((l) => /don't have (?:the )?([\w ]+?)(?: with me)?\./i.exec(l.text)?.[1])
    .filter((what): what is string => what !== undefined);
  const asked = lacked.flatMap((what) => find("them", new RegExp(what, "i")));
  const connected = find("event", /connected/i).length > 0 && find("event", /failed/i).length === 0;
  const handoffFailed = find("event", /handoff failed/i).length > 0;
  const message = find("action", /"reason":"message left"/).length > 0;

  const report = (
    status: string,
    summary: string,
    facts: Line[],
    extra: { missing_info?: string[]; next_steps?: string[] } = {},
  ): FakeLlmOutcome => ({
    toolCalls: [
      {
        name: "report_call_result",
        arguments: {
          status,
          summary,
          facts: facts.map(cite),
          missing_info: extra.missing_info ?? [],
          next_steps: extra.next_steps ?? [],
        },
      },
    ],
  });

  if (lacked.length > 0) {
    return report(
      "needs_info",
      `Needs information: I called ${to} and they asked for ${lacked.join(", ")}.`,
      asked,
      {
        missing_info: lacked,
        next_steps: [`Ask the user for ${lacked.join(", ")}, then call back.`],
      },
    );
  }
  if (confirmed.length > 0) {
    if (handoffFailed) {
      return report(
        "partial",
        `Partly done: I called ${to}; it is confirmed, but connecting you failed.`,
        confirmed,
      );
    }
    const handoff = connected ? " and connected you" : "";
    return report("achieved", `Done: I called ${to}; it is confirmed${handoff}.`, confirmed);
  }
  if (message) {
    return report("partial", `Message left: I called ${to}, reached voicemail and left a message.`, [], {
      next_steps: ["Wait for a call back, or try again later."],
    });
  }
  if (them.length === 0) {
    return report("not_reached", `Not reached: I called ${to} and nobody spoke.`, [], {
      next_steps: ["Offer to try again later."],
    });
  }
  return report("not_achieved", `Not done: I called ${to} but the task could not be completed.`, [], {
    next_steps: ["Read the transcript for what went wrong."],
  });
}
