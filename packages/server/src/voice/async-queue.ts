// The queue lives with the providers, whose text streams use it too; voice and agent keep this name.
export { AsyncQueue } from "../providers/async-queue.ts";
