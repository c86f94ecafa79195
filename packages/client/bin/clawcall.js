#!/usr/bin/env node
// The CLI ships as TypeScript; tsx's loader runs it on Node 20 and later without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
