// A loopback stand-in for the Qovery API: canned answers for the container list and its status.
import { createServer } from "node:http";

const ENV_ID = "5b8e3a36-6c48-4b35-a9a1-2d0f7bb0c1aa";
const containers = [1, 2, 3].map((i) => ({
  id: `0c0a7e2e-0000-4000-8000-00000000000${i}`,
  name: `web-${i}`,
  image_name: "nginx",
  tag: "1.27",
  cpu: 500,
  memory: 512,
  min_running_instances: 1,
  max_running_instances: 2,
  created_at: "2026-01-01T00:00:00Z",
  environment: { id: ENV_ID },
  registry: { id: "7a1f5b3c-0000-4000-8000-000000000000" },
  ports: [{ id: "p1", internal_port: 80, publicly_accessible: true, protocol: "HTTP" }],
}));
const list = JSON.stringify({ results: containers });
const status = JSON.stringify({ results: containers.map((c) => ({ id: c.id, state: "DEPLOYED" })) });

export const environmentId = ENV_ID;

export function startQoveryUpstream() {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const body = req.url.endsWith("/container/status") ? status : req.url.endsWith("/container") ? list : null;
    if (!body) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"message":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        get requests() {
          return requests;
        },
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}
