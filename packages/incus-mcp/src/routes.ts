import { type AnyRoute, route } from "@infra-mcp/core";
import type { IncusClient } from "./config.js";
import { openOperationSocket } from "./stream.js";
import { cancelOperation } from "./tools/cancel-operation.js";
import { getOperation } from "./tools/get-operation-state.js";
import { listOperationIds, listOperations } from "./tools/get-operations.js";
import { readOperationStream, readOperationStreamPublic } from "./tools/get-websocket-stream.js";
import { waitForOperation, waitForOperationPublic } from "./tools/wait-operation.js";

/**
 * The seed's REST surface (--rest): route → tool. A websocket route's Upgrade is bridged to the
 * socket its opener returns, the same one the tool's handler reads.
 */
export const routes: AnyRoute<IncusClient>[] = [
  route("GET /v1/1-0/operations", listOperationIds),
  route("GET /v1/1-0/operations-recursion-1", listOperations),
  route("GET /v1/1-0/operations/{id}", getOperation),
  route("DELETE /v1/1-0/operations/{id}", cancelOperation),
  route("GET /v1/1-0/operations/{id}/wait", waitForOperation),
  route("GET /v1/1-0/operations/{id}/wait-public", waitForOperationPublic),
  route("GET /v1/1-0/operations/{id}/websocket", readOperationStream, {
    openUpstreamSocket: (args, ctx) => openOperationSocket(ctx.client, args, readOperationStream.options, ctx.signal),
  }),
  route("GET /v1/1-0/operations/{id}/websocket-public", readOperationStreamPublic, {
    openUpstreamSocket: (args, ctx) =>
      openOperationSocket(ctx.client, args, readOperationStreamPublic.options, ctx.signal),
  }),
];
