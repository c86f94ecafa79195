/** Telnyx's Call Control answers as the emulator gives them: the errors it returns and its action names. */

export type TelnyxError = { status: number; code: string; title: string; detail: string };

/** The Call Control actions the emulator serves, by path segment, with their operation ids in the spec. */
export const ACTIONS: Record<string, string> = {
  hangup: "HangupCall",
  send_dtmf: "SendDTMF",
  transfer: "TransferCall",
  bridge: "BridgeCall",
  answer: "AnswerCall",
  record_start: "StartCallRecord",
  record_stop: "StopCallRecording",
  streaming_start: "StartCallStreaming",
  streaming_stop: "StopCallStreaming",
};

export const E = {
  auth: { status: 401, code: "10009", title: "Authentication failed", detail: "Missing or invalid API key." },
  tooMany: {
    status: 429,
    code: "10011",
    title: "Too many requests",
    detail: "You have exceeded the maximum number of allowed requests.",
  },
  badJson: {
    status: 400,
    code: "10015",
    title: "Bad Request",
    detail: "The request failed because it was not well-formed.",
  },
  e164: {
    status: 422,
    code: "10016",
    title: "Phone number must be in +E164 format",
    detail: "The 'to' parameter must be in E164 format.",
  },
  refused: {
    status: 403,
    code: "10010",
    title: "Authorization failed",
    detail: "Calls to this destination are not permitted on this account.",
  },
  ended: {
    status: 422,
    code: "90018",
    title: "Call has already ended",
    detail: "This call is no longer active and can't receive commands.",
  },
  invalidId: {
    status: 422,
    code: "90015",
    title: "Invalid Call Control ID",
    detail: "The call_control_id provided was not valid.",
  },
  notAnswered: {
    status: 422,
    code: "90034",
    title: "Call not answered yet",
    detail: "This call can't receive this command because it has not been answered yet.",
  },
  notFound: {
    status: 404,
    code: "10005",
    title: "Resource not found",
    detail: "The requested resource or URL could not be found.",
  },
} satisfies Record<string, TelnyxError>;
