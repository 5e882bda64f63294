import type { Env } from "@infra-mcp/core";

export interface PortainerClient {
  env: Env;
}

export function createPortainerClient(env: Env): PortainerClient {
  return { env };
}
