/** The fields of Docker's `GET /containers/{id}/stats` document that `docker stats` reads. */
export interface DockerStatsDocument {
  read?: string;
  preread?: string;
  name?: string;
  id?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number>; commitbytes?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
  pids_stats?: { current?: number; limit?: number };
  num_procs?: number;
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface ContainerStats {
  read: string | null;
  cpuPercent: number;
  onlineCpus: number;
  memoryUsedBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

/**
 * The numbers `docker stats` prints, computed as the Docker CLI does on Linux
 * (cli/command/container/stats_helpers.go): CPU % from the deltas against the previous sample
 * scaled by the online CPUs; memory without the page cache (cgroup v1 total_inactive_file, v2
 * inactive_file); network summed over interfaces; block I/O summed over devices by read/write op.
 */
export function computeStats(doc: DockerStatsDocument): ContainerStats {
  const cpu = doc.cpu_stats ?? {};
  const pre = doc.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const onlineCpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 0;
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;

  const mem = doc.memory_stats ?? {};
  const usage = mem.usage ?? 0;
  const v1 = mem.stats?.total_inactive_file;
  const v2 = mem.stats?.inactive_file ?? 0;
  const memoryUsedBytes = v1 !== undefined && v1 < usage ? usage - v1 : v2 < usage ? usage - v2 : usage;
  const memoryLimitBytes = mem.limit ?? 0;
  const memoryPercent = memoryLimitBytes > 0 ? (memoryUsedBytes / memoryLimitBytes) * 100 : 0;

  let networkRxBytes = 0;
  let networkTxBytes = 0;
  for (const net of Object.values(doc.networks ?? {})) {
    networkRxBytes += net.rx_bytes ?? 0;
    networkTxBytes += net.tx_bytes ?? 0;
  }

  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const entry of doc.blkio_stats?.io_service_bytes_recursive ?? []) {
    // cgroup v1 says "Read"/"Write", v2 "read"/"write": the CLI compares the first letter.
    const op = (entry.op ?? "").toLowerCase();
    if (op === "read") blockReadBytes += entry.value ?? 0;
    else if (op === "write") blockWriteBytes += entry.value ?? 0;
  }

  return {
    read: doc.read && !doc.read.startsWith("0001-01-01") ? doc.read : null,
    cpuPercent: round2(cpuPercent),
    onlineCpus,
    memoryUsedBytes,
    memoryLimitBytes,
    memoryPercent: round2(memoryPercent),
    networkRxBytes,
    networkTxBytes,
    blockReadBytes,
    blockWriteBytes,
    pids: doc.pids_stats?.current ?? doc.num_procs ?? 0,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Docker's units: binary for memory (MiB/GiB), decimal for I/O (kB/MB), as `docker stats` prints them. */
export function binarySize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(2)}${units[i]}`;
}

export function decimalSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(3).replace(/\.?0+$/, "")}${units[i]}`;
}
