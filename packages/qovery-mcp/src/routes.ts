import { type AnyRoute, route } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";
import { openServiceLogs, openShell } from "./gateway.js";
import { autoDeployContainers } from "./tools/auto-deploy-containers.js";
import { cloneContainer } from "./tools/clone-container.js";
import { createContainer } from "./tools/create-container.js";
import { deployContainer } from "./tools/deploy-container.js";
import { getContainer } from "./tools/get-container.js";
import { getContainerLogs } from "./tools/get-container-logs.js";
import { getContainerStatus } from "./tools/get-container-status.js";
import { getServiceLogs } from "./tools/get-service-logs.js";
import { listAllContainerRegistryContainer } from "./tools/list-all-container-registry-container.js";
import { listAllEnvironmentContainerStatuses } from "./tools/list-all-environment-container-statuses.js";
import { listContainerDeployments } from "./tools/list-container-deployments.js";
import { listContainers } from "./tools/list-containers.js";
import { listDefaultContainerAdvancedSettings } from "./tools/list-default-container-advanced-settings.js";
import { openContainerShell } from "./tools/open-container-shell.js";
import { previewContainerEnvironments } from "./tools/preview-container-environments.js";
import { redeployContainer } from "./tools/redeploy-container.js";
import { restartContainer } from "./tools/restart-container.js";
import { stopContainer } from "./tools/stop-container.js";

const container = { pathArgs: { containerid: "containerId" } };
const containerBody = { pathArgs: { containerid: "containerId" }, body: "merge" };
const environment = { pathArgs: { environmentid: "environmentId" } };
const organization = { pathArgs: { organizationid: "organizationId" }, body: "merge" };

/**
 * The REST surface (--rest): route → tool, the seed's lower-case placeholders mapped to
 * arguments. The two websocket routes bridge a client's Upgrade to Qovery's gateway through the
 * opener the tool's handler uses too: the ids are resolved and the Authorization header is added
 * here, so the client never holds the token.
 */
export const routes: AnyRoute<QoveryClient>[] = [
  // the seed's routes
  route("POST /v1/container/{containerid}/clone", cloneContainer, containerBody),
  route("GET /v1/defaultcontaineradvancedsettings", listDefaultContainerAdvancedSettings),
  route("GET /v1/environment/{environmentid}/container", listContainers, environment),
  route("POST /v1/environment/{environmentid}/container", createContainer, { ...environment, body: "merge" }),
  route("GET /v1/environment/{environmentid}/container/status", listAllEnvironmentContainerStatuses, environment),
  route("POST /v1/organization/{organizationid}/container/deploy", autoDeployContainers, organization),
  route("POST /v1/organization/{organizationid}/container/preview", previewContainerEnvironments, organization),
  route(
    "GET /v1/organization/{organizationid}/containerregistry/{containerregistryid}/container/status",
    listAllContainerRegistryContainer,
    { pathArgs: { organizationid: "organizationId", containerregistryid: "containerRegistryId" } },
  ),
  // lifecycle, deployments and logs
  route("GET /v1/container/{containerid}", getContainer, container),
  route("GET /v1/container/{containerid}/status", getContainerStatus, container),
  route("GET /v1/container/{containerid}/deploymenthistory", listContainerDeployments, container),
  route("GET /v1/container/{containerid}/log", getContainerLogs, container),
  route("POST /v1/container/{containerid}/deploy", deployContainer, containerBody),
  route("POST /v1/container/{containerid}/redeploy", redeployContainer, containerBody),
  route("POST /v1/container/{containerid}/restart-service", restartContainer, containerBody),
  route("POST /v1/container/{containerid}/stop", stopContainer, containerBody),
  // the gateway's websockets
  route("GET /v1/service/logs", getServiceLogs, {
    openUpstreamSocket: async (args, ctx) => (await openServiceLogs(ctx.client, args, ctx.signal)).ws,
  }),
  route("GET /v1/shell/exec", openContainerShell, {
    // A raw client is a terminal of its own: a TTY unless it asks for 0x0.
    openUpstreamSocket: async (args, ctx) =>
      (
        await openShell(
          ctx.client,
          args.containerId,
          {
            command: args.command,
            pod: args.pod,
            container: args.container,
            cols: args.cols ?? 80,
            rows: args.rows ?? 24,
          },
          ctx.signal,
        )
      ).ws,
  }),
];
