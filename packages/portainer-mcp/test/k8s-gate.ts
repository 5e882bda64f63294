import { daemonGate } from "@infra-mcp/core/testing";
import { clusterReady, KUBE_CLUSTER_FILE, loadCluster } from "./fixtures/kube.js";

/** The real one-node cluster (scripts/setup-kubernetes.sh); with CI set, its absence fails the run. */
export const cluster = loadCluster();
export const k8sGate = daemonGate(
  `Kubernetes (${KUBE_CLUSTER_FILE})`,
  await clusterReady(cluster),
  "bash scripts/setup-kubernetes.sh",
);
