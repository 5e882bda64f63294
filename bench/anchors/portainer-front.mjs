// The Portainer-protocol test front (packages/portainer-mcp/test/fixtures) over the real Docker
// engine, in a process of its own for the exec benchmark. Prints {url}. Node strips the fixture's
// types on load, so the bench runs the very front the tests run. Stripping leaves specifiers
// alone, and the fixtures import their siblings as TypeScript's emit names them ("./kube.js"):
// a relative ".js" that does not exist resolves to its ".ts".
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!specifier.startsWith(".") || !specifier.endsWith(".js")) throw error;
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
const front = await import("../../packages/portainer-mcp/test/fixtures/portainer-front.ts");
const [apiKey, dockerSocket = "/var/run/docker.sock"] = process.argv.slice(2);
const f = await front.startPortainerFront({ dockerSocket, apiKey, jwt: "bench.unused.jwt" });
process.stdout.write(`${JSON.stringify({ url: f.url })}\n`);
process.stdin.on("end", () => f.close().then(() => process.exit(0)));
process.stdin.resume();
