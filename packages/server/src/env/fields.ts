// Room env/: how one environment variable is read (unset, numbers, flags, URLs), for config and adapters.
import { z } from "zod";

/**
 * Field readers shared by config/ and the vendor adapters that declare their own variables. Reading
 * process.env stays with config/; these only say how a value, once read, is checked and converted.
 */
export const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
export const seconds = (def: number) => z.coerce.number().min(0).default(def);
export const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
export const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
export const url = z
  .string()
  .trim()
  .url()
  .optional()
  .or(z.literal("").transform(() => undefined));

/** The parsed values of a group of variables, as the adapter that declared them receives them. */
export type EnvValues<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;
