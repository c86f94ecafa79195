import {
  type CallRequest,
  type CallResult,
  CallResultSchema,
  type TranscriptEntry,
} from "@clawcall/contract";
import { z } from "zod";
import type { LLM, LlmMessage, LlmTool } from "../providers/llm/llm.ts";
import { keepCitedFacts } from "./result-citations.ts";

/** The tool the model must call to give its judgement: structured output on any model with tools. */
export const RESULT_TOOL = "report_call_result";

/** Time the model has to judge a call: the call is held unfinalized meanwhile. */
export const JUDGE_TIMEOUT_MS = 10_000;

export interface Judgement {
  result: CallResult | null;
  /** Why there is no result, when there is none. */
  resultUnavailable?: string;
}

const RESULT_TOOL_SPEC: LlmTool = {
  name: RESULT_TOOL,
  description: "Reports what came of the phone call.",
  parameters: z.toJSONSchema(CallResultSchema, { io: "input" }) as Record<string, unknown>,
};

const ROLE: Record<TranscriptEntry["role"], string> = {
  assistant: "agent",
  user: "them",
  tool: "action",
  system: "event",
};

/** The transcript as the model reads it: one numbered line per entry, numbers as the facts cite them. */
export function numberedTranscript(transcript: readonly TranscriptEntry[]): string {
  return transcript
    .map((e, i) => {
      const args = e.toolArgs && Object.keys(e.toolArgs).length > 0 ? ` ${JSON.stringify(e.toolArgs)}` : "";
      const what = e.role === "tool" ? `${e.tool ?? "tool"}${args}${e.text ? `: ${e.text}` : ""}` : e.text;
      return `[${i}] ${ROLE[e.role]}: ${what}`;
    })
    .join("\n");
}

function instructions(to: string): string {
  return [
    "You judge a phone call an AI agent made for its user, from the task it was given and the transcript.",
    `Report with the ${RESULT_TOOL} tool, once:`,
    "- status: achieved (the task got done), partial (some of it), not_achieved (it did not), needs_info (the other side needs something the task did not contain), not_reached (no one who could help was reached).",
    `- summary: one sentence that leads with the outcome and names the number called, ${to}.`,
    "- facts: what was learned or agreed, each citing the numbers of the transcript lines that say it. Only what the lines say.",
    "- missing_info: what the other side asked for that the task did not contain, so the user can be asked before calling back.",
    "- next_steps: what the user or their assistant should do now; empty when nothing.",
  ].join("\n");
}

/**
 * What came of a call, judged by the model after the call from its task and transcript, within a bounded
 * time. Facts whose citations the transcript does not bear out are dropped, and the summary always names
 * the number called. No result (with the reason) when the model fails or answers out of shape.
 */
export async function judgeCall(
  llm: LLM,
  request: CallRequest,
  transcript: readonly TranscriptEntry[],
  options: { timeoutMs?: number; onError?: (error: unknown) => void } = {},
): Promise<Judgement> {
  if (transcript.length === 0) {
    return {
      result: {
        status: "not_reached",
        summary: `Not reached: I called ${request.to}; the call was answered but nothing was said.`,
        facts: [],
        missing_info: [],
        next_steps: ["Offer to try again later."],
      },
    };
  }
  const messages: LlmMessage[] = [
    { role: "system", content: instructions(request.to) },
    {
      role: "user",
      content: `# Number called\n${request.to}\n\n# Task\n${request.task}\n\n# Transcript\n${numberedTranscript(transcript)}`,
    },
  ];
  let args: string | null = null;
  const signal = AbortSignal.timeout(options.timeoutMs ?? JUDGE_TIMEOUT_MS);
  try {
    for await (const chunk of llm.stream({
      messages,
      tools: [RESULT_TOOL_SPEC],
      toolChoice: RESULT_TOOL,
      temperature: 0,
      maxTokens: 1200,
      signal,
    })) {
      if (chunk.type === "tool_call" && chunk.call.name === RESULT_TOOL) args = chunk.call.arguments;
    }
  } catch (error) {
    options.onError?.(error);
    const why = signal.aborted ? "took too long" : "failed";
    return { result: null, resultUnavailable: `the language model ${why} to judge the call` };
  }
  const parsed = args === null ? null : CallResultSchema.safeParse(parseJson(args));
  if (!parsed?.success) {
    return { result: null, resultUnavailable: "the language model gave no result in the expected shape" };
  }
  const result = keepCitedFacts(parsed.data, transcript);
  if (!result.summary.includes(request.to)) {
    result.summary = `${result.summary.replace(/[.!]?$/, "")} (called ${request.to}).`;
  }
  return { result };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
