// Stream passthrough: the same loopback upstream read by a plain ws client, by core's websocket
// engine (connect + collect in drain mode) and, when core has it, through core's REST websocket
// bridge (client ← bridge ← upstream). Every reader is its own process; peak RSS is per process.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runJson, startHelper } from "./child.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export const coreRestBuilt = () => existsSync(here("../../packages/core/dist/serving/rest/index.js"));

export async function streamBench({ sizesMiB = [64, 256], runs = 3 } = {}) {
  const upstream = startHelper(here("./ws-upstream.mjs"));
  const { port } = await upstream.next();
  const relays = {};
  const results = [];
  try {
    for (const kind of coreRestBuilt() ? ["plain", "core"] : ["plain"]) {
      relays[kind] = startHelper(here("./ws-bridge.mjs"), [kind, String(port)]);
      relays[kind].port = (await relays[kind].next()).port;
    }
    for (const mib of sizesMiB) {
      const bytes = mib * 1024 * 1024;
      const modes = ["ws", "core", ...Object.keys(relays).map((k) => `relay-${k}`)];
      const samples = Object.fromEntries(modes.map((m) => [m, []]));
      for (let r = 0; r < runs; r++) {
        for (const mode of modes) {
          if (mode.startsWith("relay-")) {
            const relay = relays[mode.slice(6)];
            const read = await runJson(here("./ws-reader.mjs"), ["ws", String(relay.port), String(bytes)]);
            const side = await relay.next();
            samples[mode].push({ ...read, maxRssBytes: side.maxRssBytes });
          } else {
            samples[mode].push(await runJson(here("./ws-reader.mjs"), [mode, String(port), String(bytes)]));
          }
        }
      }
      for (const mode of modes) {
        const s = samples[mode];
        for (const x of s) if (x.bytes !== bytes) throw new Error(`${mode} read ${x.bytes} of ${bytes} bytes`);
        const rates = s.map((x) => x.bytes / (x.ms / 1000)).sort((a, b) => a - b);
        results.push({
          mode,
          mib,
          bytesPerSec: rates[Math.floor(rates.length / 2)],
          maxRssBytes: Math.max(...s.map((x) => x.maxRssBytes)),
        });
      }
    }
  } finally {
    for (const relay of Object.values(relays)) await relay.stop();
    await upstream.stop();
  }
  return { results, bridgeMeasured: "core" in relays };
}
