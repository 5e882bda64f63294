import type { AnyTool } from "@infra-mcp/core";
import { qovery } from "../builder.js";
import type { QoveryClient } from "../config.js";
import { autoDeployContainers } from "./auto-deploy-containers.js";
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
import { previewContainerEnvironments } from "./preview-container-environments.js";
import { redeployContainer } from "./redeploy-container.js";
import { restartContainer } from "./restart-container.js";
import { stopContainer } from "./stop-container.js";

/**
 * The qovery-mcp tool table, in the seed's order: one line per tool, one file per tool beside
 * this one. REST routes: ../routes.ts.
 */
export const tools: AnyTool<QoveryClient>[] = [
  cloneContainer,
  listDefaultContainerAdvancedSettings,
  listContainers,
  createContainer,
  listAllEnvironmentContainerStatuses,
  autoDeployContainers,
  previewContainerEnvironments,
  listAllContainerRegistryContainer,
  // Beyond the seed: lifecycle, deployments, logs and shell.
  getContainer,
  getContainerStatus,
  listContainerDeployments,
  getContainerLogs,
  deployContainer,
  redeployContainer,
  restartContainer,
  stopContainer,
  getServiceLogs,
  openContainerShell,
  // No session-signal: the gateway carries no signals (send Ctrl-C, \u0003, with session-write).
  ...qovery.sessionTools().filter((t) => t.name !== "session-signal"),
];
