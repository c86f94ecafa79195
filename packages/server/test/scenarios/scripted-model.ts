import type { FakeLlmOutcome, FakeLlmRequestView } from "../fakes/llm-script.ts";

/**
 * A scripted stand-in for the language model in sandbox scenarios: it answers what the callee last said
 * the way a sensible agent would, using the same tools the real model is offered. Deterministic, so a
 * scenario ends the same way every run.
 */
export function scriptedAgentModel(request: FakeLlmRequestView): FakeLlmOutcome {
  const heard = request.lastUserText.toLowerCase();
  const end = (text: string, reason: string): FakeLlmOutcome => ({
    text,
    toolCalls: [{ name: "end_call", arguments: { reason } }],
  });
  const lastTool = [...request.turns].reverse().find((t) => t.role === "tool");
  // Only a failed handoff's result carries a `reason` (no_answer, busy, ...) next to ok: false.
  if (lastTool && /"ok":false,"reason":/.test(lastTool.text)) {
    return end("I'm sorry, I couldn't reach them. I'll let them know you called. Goodbye.", "handoff failed");
  }
  if (
    /voicemail|after the tone|leave a message/.test(heard) ||
    /leave (a|the) message now/i.test(request.system + heard)
  ) {
    return end(
      "Hi Alex, this is an AI assistant calling for Jordan Lee to confirm Tuesday's appointment. Goodbye.",
      "message left",
    );
  }
  if (/press one/.test(heard)) return { toolCalls: [{ name: "press_digits", arguments: { digits: "1" } }] };
  if (/please hold|all of our agents are busy|stay on the line/.test(heard)) {
    return { toolCalls: [{ name: "wait_on_hold", arguments: {} }] };
  }
  if (/say your name and why/.test(heard))
    return { text: "This is an AI assistant calling for Jordan Lee about an appointment." };
  if (/cannot look that up/.test(heard))
    return end("I understand. I'll call back with it. Thank you, goodbye.", "missing information");
  if (/date of birth/.test(heard)) return { text: "I'm sorry, I don't have the date of birth with me." };
  if (/patient's name/.test(heard)) return { text: "The patient is Jordan Lee." };
  if (/what would you like/.test(heard)) return { text: "Please confirm the appointment." };
  if (/who this is/.test(heard)) return { text: "I'm an AI assistant calling for Jordan Lee." };
  const triedConnect = request.turns.some((t) => t.role === "tool" && /connect/i.test(t.text));
  if (
    request.toolNames.includes("connect_user") &&
    !triedConnect &&
    /help|name|what would you like/.test(heard)
  ) {
    return {
      text: "Thank you. I'm connecting Jordan now.",
      toolCalls: [{ name: "connect_user", arguments: {} }],
    };
  }
  if (/anything else|goodbye|bye/.test(heard)) return end("No, that's all. Thank you, goodbye.", "task done");
  if (/how can i help|what can i do/.test(heard))
    return { text: "I'm calling to confirm Jordan Lee's appointment on Tuesday." };
  return { text: "Okay, thank you." };
}
