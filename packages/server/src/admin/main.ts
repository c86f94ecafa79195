import { ConfigError } from "../config/config.ts";
import { runAdmin } from "./admin.ts";

runAdmin(process.argv.slice(2), process.env)
  .then((code) => process.exit(code))
  .catch((err) => {
    console.error(err instanceof ConfigError || err instanceof TypeError ? err.message : err);
    process.exit(2);
  });
