# One server (portainer-mcp, incus-mcp or qovery-mcp) as a container image, MCP over Streamable
# HTTP at /mcp (:9090) and its REST surface (:8080).
#
# Build from the repository root AFTER `pnpm build`:
#   docker build -f deploy/server.Dockerfile --build-arg SERVER=qovery-mcp \
#     --build-arg BASE_IMAGE=<image with node 22 on PATH> -t qovery-mcp .
# Same conventions as deploy/Dockerfile (non-root, read-only root friendly, env-only configuration).
# Append flags as arguments: `docker run ... qovery-mcp --stateless --read-only` keeps --http --rest.
ARG BASE_IMAGE=node:22-bookworm-slim
FROM ${BASE_IMAGE}

ARG SERVER
WORKDIR /app
# A missing or misspelled SERVER fails here (no such folder in the build context).
COPY packages/${SERVER}/package.json packages/${SERVER}/bin.cjs /app/
COPY packages/${SERVER}/dist /app/dist

USER 10001:10001

ENV NODE_ENV=production \
    HOME=/tmp \
    MCP_HTTP_HOST=0.0.0.0 \
    MCP_HTTP_PORT=9090 \
    MCP_REST_PORT=8080

EXPOSE 9090 8080

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MCP_HTTP_PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

STOPSIGNAL SIGTERM
# The vendor bins speak stdio unless told otherwise; in a container, serve HTTP (+ REST). The mode
# flags are part of the entrypoint, not CMD, so arguments a user appends (`docker run ... --stateless`,
# Kubernetes `args: ["--read-only"]`) add to them instead of replacing them.
ENTRYPOINT ["node", "/app/bin.cjs", "--http", "--rest"]
CMD []
