// Pure translation between skiff's ContainerConfig/ContainerInfo and the Docker Engine API shapes.
import type Docker from 'dockerode';
import type { ContainerConfig, ContainerInfo, ContainerState, PortBinding, SecuritySettings } from '../types.ts';

export function toCreateOptions(c: ContainerConfig): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports) {
    const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
  }
  const sec = c.security ?? {};
  return {
    name: c.name,
    Image: c.image,
    User: sec.user,
    // Kubernetes' command replaces the image's ENTRYPOINT and args its CMD; when only command is
    // given, the image's CMD must not be appended, hence the explicit empty Cmd.
    Entrypoint: c.entrypoint,
    Cmd: c.args ?? (c.entrypoint ? [] : undefined),
    Env: c.env.map((e) => `${e.name}=${e.value}`),
    WorkingDir: c.workingDir,
    Labels: c.labels,
    ExposedPorts: exposed,
    OpenStdin: c.stdin || undefined,
    StdinOnce: c.stdinOnce || undefined,
    Tty: c.tty || undefined,
    HostConfig: {
      PortBindings: bindings,
      Memory: c.memoryLimitBytes,
      // No swap beyond the limit, so that the limit is what triggers the OOM killer.
      MemorySwap: c.memoryLimitBytes,
      NanoCpus: c.nanoCpus,
      CpuShares: c.cpuShares,
      RestartPolicy: { Name: 'no' },
      NetworkMode: c.networkMode,
      PidMode: c.pidMode,
      Mounts: c.mounts?.length ? c.mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })) : undefined,
      GroupAdd: sec.groupAdd?.length ? sec.groupAdd : undefined,
      Privileged: sec.privileged || undefined,
      ReadonlyRootfs: sec.readOnlyRootFilesystem || undefined,
      CapAdd: sec.capAdd?.length ? sec.capAdd : undefined,
      CapDrop: sec.capDrop?.length ? sec.capDrop : undefined,
      SecurityOpt: securityOpt(sec),
    },
  };
}

/** Docker's security options: no-new-privileges and the seccomp profile (the engine's default when RuntimeDefault). */
function securityOpt(sec: SecuritySettings): string[] | undefined {
  const out: string[] = [];
  if (sec.noNewPrivileges) out.push('no-new-privileges');
  if (sec.seccomp?.type === 'Unconfined') out.push('seccomp=unconfined');
  if (sec.seccomp?.type === 'Localhost') out.push(`seccomp=${sec.seccomp.profile}`);
  return out.length ? out : undefined;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toContainerInfo(i: Docker.ContainerInspectInfo): ContainerInfo {
  const s = i.State;
  // A container whose start failed (e.g. its executable is missing) stays "created" with an error
  // and an exit code: for the agent it has exited, so that it is restarted with back-off.
  const failedStart = s.Status === 'created' && !!s.Error;
  const state: ContainerState = s.Running || s.Restarting ? 'running' : s.Status === 'created' && !failedStart ? 'created' : s.Status === 'exited' || s.Status === 'dead' || failedStart ? 'exited' : 'unknown';
  const ports: PortBinding[] = [];
  for (const [key, binds] of Object.entries(i.HostConfig.PortBindings ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of (binds as { HostIp: string; HostPort: string }[]) ?? []) {
      ports.push({ containerPort: Number(port), protocol: proto === 'udp' ? 'UDP' : 'TCP', hostIP: b.HostIp, hostPort: Number(b.HostPort) });
    }
  }
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    image: i.Config.Image,
    imageId: i.Image,
    labels: i.Config.Labels ?? {},
    state,
    exitCode: state === 'exited' ? s.ExitCode : undefined,
    startedAt: s.StartedAt && s.StartedAt !== ZERO_TIME ? s.StartedAt : undefined,
    finishedAt: s.FinishedAt && s.FinishedAt !== ZERO_TIME ? s.FinishedAt : undefined,
    oomKilled: s.OOMKilled,
    error: s.Error || undefined,
    ports,
    ip: Object.values(i.NetworkSettings?.Networks ?? {})[0]?.IPAddress || undefined,
    createdAt: i.Created,
  };
}
