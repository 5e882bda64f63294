import type { Env } from "@infra-mcp/core";

export interface QoveryClient {
  env: Env;
}

export function createQoveryClient(env: Env): QoveryClient {
  return { env };
}
