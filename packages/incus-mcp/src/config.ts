import type { Env } from "@infra-mcp/core";

export interface IncusClient {
  env: Env;
}

export function createIncusClient(env: Env): IncusClient {
  return { env };
}
