import { route } from "@infra-mcp/core";
import { qovery } from "../builder.js";
import { openServiceLogs, openShellSocket } from "../gateway.js";
import { autoDeployContainers, previewContainerEnvironments } from "./auto-deploy-containers.js";
import { cloneContainer } from "./clone-container.js";
import { createContainer } from "./create-container.js";
import { deployContainer } from "./deploy-container.js";
import { getContainer } from "./get-container.js";
import { getContainerLogs } from "./get-container-logs.js";
import { getContainerStatus } from "./get-container-status.js";
import { getServiceLogs } from "./get-service-logs.js";
import { listAllContainerRegistryContainer } from "./list-all-container-registry-container.js";
import { listAllEnvironmentContainerStatuses } from "./list-all-environment-container-statuses.js";
import { listContainerDeployments } from "./list-container-deployments.js";
import { listContainers } from "./list-containers.js";
import { listDefaultContainerAdvancedSettings } from "./list-default-container-advanced-settings.js";
import { openContainerShell } from "./open-container-shell.js";
import { redeployContainer } from "./redeploy-container.js";
import { restartContainer } from "./restart-container.js";
import { stopContainer } from "./stop-container.js";

const container = { pathArgs: { containerid: "containerId" } };
const containerBody = { pathArgs: { containerid: "containerId" }, body: "merge" };
const environment = { pathArgs: { environmentid: "environmentId" } };
const organization = { pathArgs: { organizationid: "organizationId" }, body: "merge" };

/**
 * The qovery-mcp table, in the seed's order: one line per tool (one file per tool beside this
 * one; a seed twin is a variant in its tool's file). A tool served over REST is written as its
 * route, the seed's lower-case placeholders mapped to arguments. The two websocket routes bridge
 * a client's Upgrade to Qovery's gateway through the opener the tool's handler uses too: the ids
 * are resolved and the Authorization header is added here, so the client never holds the token.
 */
export const { tools, routes } = qovery.table([
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
  // Beyond the seed: lifecycle, deployments, logs and shell.
  route("GET /v1/container/{containerid}", getContainer, container),
  route("GET /v1/container/{containerid}/status", getContainerStatus, container),
  route("GET /v1/container/{containerid}/deploymenthistory", listContainerDeployments, container),
  route("GET /v1/container/{containerid}/log", getContainerLogs, container),
  route("POST /v1/container/{containerid}/deploy", deployContainer, containerBody),
  route("POST /v1/container/{containerid}/redeploy", redeployContainer, containerBody),
  route("POST /v1/container/{containerid}/restart-service", restartContainer, containerBody),
  route("POST /v1/container/{containerid}/stop", stopContainer, containerBody),
  route("GET /v1/service/logs", getServiceLogs, {
    openUpstreamSocket: async (args, ctx) => (await openServiceLogs(ctx.client, args, ctx.signal)).ws,
  }),
  route("GET /v1/shell/exec", openContainerShell, {
    openUpstreamSocket: (args, ctx) => openShellSocket(ctx.client, args, ctx.signal),
  }),
  // No session-signal: the gateway carries no signals (send Ctrl-C, \u0003, with session-write).
  ...qovery.sessionTools().filter((t) => t.name !== "session-signal"),
]);
