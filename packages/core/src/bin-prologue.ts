import { config } from "zod";

// The first code a bin's bundle runs (tsup injects it ahead of everything else), so it applies to
// every schema, the SDK's included: zod reads the setting when a schema is built. zod's default
// compiles a parser with `new Function` the first time each object schema parses, which V8's code
// cache cannot keep, so every start paid it again for the schemas of initialize and tools/list
// (~7 ms of a ~125 ms start here); a steady-state parse of a tools/call message costs about the
// same either way (3-4 µs). Library importers (the gateway) are not affected: only the bins carry it.
config({ jitless: true });
