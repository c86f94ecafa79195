import type { BridgeOptions, BridgeResult, Carrier, CarrierEvent, DialRequest } from "./carrier.ts";

/**
 * One carrier shared by two users: the calls room, which installs its listener on the carrier, and a
 * side line (the phone verification calls) whose calls are dialled through `side`. Each hears only the
 * events of the calls it dialled: the side's are known by id from its dial until their hang-up.
 */
export function shareCarrier(carrier: Carrier): { main: Carrier; side: Carrier } {
  const sideCalls = new Set<string>();
  let mainListener: (event: CarrierEvent) => void = () => {};
  let sideListener: (event: CarrierEvent) => void = () => {};
  carrier.onEvent((event) => {
    if (!sideCalls.has(event.callId)) return mainListener(event);
    if (event.type === "hangup") sideCalls.delete(event.callId);
    sideListener(event);
  });
  const view = (onEvent: (listener: (event: CarrierEvent) => void) => void, dial: Carrier["dial"]) => ({
    name: carrier.name,
    recordingsFollowHangup: carrier.recordingsFollowHangup,
    dial,
    hangup: (callId: string) => carrier.hangup(callId),
    sendDigits: (callId: string, digits: string) => carrier.sendDigits(callId, digits),
    bridge: (callId: string, to: string, from: string, options?: BridgeOptions): Promise<BridgeResult> =>
      carrier.bridge(callId, to, from, options),
    onEvent,
    close: () => carrier.close(),
  });
  return {
    main: view(
      (listener) => (mainListener = listener),
      (request) => carrier.dial(request),
    ),
    side: view(
      (listener) => (sideListener = listener),
      async (request: DialRequest) => {
        sideCalls.add(request.callId);
        try {
          await carrier.dial(request);
        } catch (err) {
          sideCalls.delete(request.callId);
          throw err;
        }
      },
    ),
  };
}
