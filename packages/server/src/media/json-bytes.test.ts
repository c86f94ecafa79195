import { describe, expect, it } from "vitest";
import { base64Size, decodeBase64, JsonBytes } from "./json-bytes.ts";

function skips(text: string): boolean {
  const json = new JsonBytes();
  json.start(Buffer.from(text));
  return json.skipValue() && json.atEnd();
}

describe("JSON read from its bytes", () => {
  it("skips exactly the values JSON.parse accepts", () => {
    const values = [
      '{"chars":["G","r","\\"","\\\\","\\u00e9","é"],"t":[0,58,1.5e3,-2]}',
      '[[],{},[{}],{"a":[true,false,null]}]',
      '"tab\\tand\\/slash"',
      "-0.25E+2",
      ' { "a" : [ 1 , 2 ] } ',
      '{"a":[1,]}',
      '{"a":1,}',
      '["\\x"]',
      '["\\u12G4"]',
      '["line\nbreak"]',
      "[01]",
      "[1.]",
      "[.5]",
      "[tru]",
      '{"a" 1}',
      "[1 2]",
      '["open',
      `${"[".repeat(40)}${"]".repeat(40)}`,
    ];
    for (const text of values) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      // Nesting past the reader's depth is left to JSON.parse, never taken as something else.
      if (text.startsWith("[".repeat(40))) expect(skips(text)).toBe(false);
      else expect(skips(text), text).toBe(valid);
    }
  });

  it("reads an object's members in order, refusing what is not an object and keys with escapes", () => {
    const members = (text: string) => {
      const json = new JsonBytes();
      json.start(Buffer.from(text));
      const keys: string[] = [];
      const read = json.members({ start: 0, end: 0 }, ({ start, end }) => {
        keys.push(Buffer.from(json.bytes.subarray(start, end)).toString());
        return json.skipValue();
      });
      return read && json.atEnd() ? keys : null;
    };
    expect(members(' { "a" : 1 , "b":{"c":[2]}, "a":null } ')).toEqual(["a", "b", "a"]);
    expect(members("{}")).toEqual([]);
    for (const text of ['{"a":1,}', '{"a" 1}', '{"a":1 "b":2}', "{a:1}", '{"a":1', "[1]", '{"\\u0061":1}'])
      expect(members(text), text).toBeNull();
  });

  it("decodes padded standard base64 as Buffer does, and refuses anything else", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 91 + n) & 0xff));
      const text = Buffer.from(bytes.toString("base64"));
      const size = base64Size(text, 0, text.length);
      expect(size).toBe(n);
      const out = new Uint8Array(size);
      expect(decodeBase64(text, 0, text.length, out)).toBe(true);
      expect(Buffer.from(out)).toEqual(bytes);
    }
    expect(base64Size(Buffer.from("QUJD QQ"), 0, 7)).toBe(-1);
    const odd = Buffer.from("QU-D");
    expect(decodeBase64(odd, 0, 4, new Uint8Array(3))).toBe(false);
    expect(decodeBase64(Buffer.from("Q==="), 0, 4, new Uint8Array(1))).toBe(false);
  });
});
