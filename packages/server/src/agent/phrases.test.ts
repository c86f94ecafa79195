import { describe, expect, it } from "vitest";
import { isHoldAnnouncement, isVoicemailGreeting } from "./phrases.ts";

describe("isHoldAnnouncement", () => {
  it.each([
    "Please hold.",
    "Your call is important to us. Please continue to hold.",
    "All of our representatives are currently assisting other customers.",
    "You are caller number three in the queue.",
    "Can you hold for a moment?",
  ])("recognises %j", (text) => expect(isHoldAnnouncement(text)).toBe(true));

  it.each([
    "Hi, thanks for holding, this is Maria. How can I help?",
    "I'd like to confirm an appointment.",
    "Hold on, what was the date again?",
  ])("leaves a person's words alone: %j", (text) => expect(isHoldAnnouncement(text)).toBe(false));
});

describe("isVoicemailGreeting", () => {
  it.each([
    "Hi, you've reached Sam. Please leave a message after the tone.",
    "The person you are calling is not available right now.",
    "The mailbox is full.",
    "Record your message at the beep.",
  ])("recognises %j", (text) => expect(isVoicemailGreeting(text)).toBe(true));

  it.each(["Dr. Smith's office, how can I help?", "Can I take a message for her?"])(
    "leaves a person's words alone: %j",
    (text) => expect(isVoicemailGreeting(text)).toBe(false),
  );
});
