export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * Splits a Server-Sent Events byte stream into messages (the WHATWG rules that matter here: comments,
 * multi-line data, CRLF or LF line ends, and a trailing message without its blank line is dropped).
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      const width = buffer.startsWith("\r\n", newline) ? 2 : 1;
      buffer = buffer.slice(newline + width);
      if (line === "") {
        if (data.length > 0)
          yield { event: event || "message", data: data.join("\n"), ...(id ? { id } : {}) };
        event = "";
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
        else if (field === "id") id = value;
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
}
