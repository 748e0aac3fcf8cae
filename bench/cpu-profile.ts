import { Session } from 'node:inspector/promises';

/**
 * The V8 sampling profiler of this very process, its samples added up by who owns the code: what `--cpu-prof` shows,
 * summed the way a reader of the lane's time wants it. A native function is charged to the JavaScript that called
 * it; `(program)` is native work no JavaScript frame owns (mostly TLS record and handshake work on incoming bytes).
 */
export type Component =
  | 'waiting (idle)'
  | 'TLS (node:tls, secure contexts, handshakes)'
  | 'client (undici, adapters)'
  | 'server (mock transport, couch)'
  | 'checks (invariants, history index)'
  | 'harness (drive, scenario, fast-check, verify)'
  | 'garbage collection'
  | 'node core (streams, http parser, events, timers)'
  | 'native, no JS caller ((program): TLS on incoming bytes, libuv)';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function componentOf(functionName: string, url: string): Component {
  if (functionName === '(idle)') return 'waiting (idle)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url.includes('_tls_') || url.includes('internal/tls') || url === 'node:tls') {
    return 'TLS (node:tls, secure contexts, handshakes)';
  }
  if (url.includes('node_modules/undici') || url.includes('/src/clients/')) return 'client (undici, adapters)';
  if (url.includes('/src/server/')) return 'server (mock transport, couch)';
  if (url.includes('/src/check/') || url.includes('/src/history/')) return 'checks (invariants, history index)';
  if (/\/src\/(drive|scenario|verify)\/|node_modules\/fast-check|\/bench\//.test(url)) {
    return 'harness (drive, scenario, fast-check, verify)';
  }
  if (url.startsWith('node:')) return 'node core (streams, http parser, events, timers)';
  return 'native, no JS caller ((program): TLS on incoming bytes, libuv)';
}

/** Runs `work` under the profiler; resolves with its result and the milliseconds each component took. */
export async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; ms: Map<Component, number> }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const ms = new Map<Component, number>();
    profile.samples.forEach((id, index) => {
      // A native frame (writev, a SecureContext method) is charged to the nearest JavaScript that called it.
      let node = byId.get(id)!;
      while (node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(') && parent.has(node.id)) {
        node = byId.get(parent.get(node.id)!)!;
      }
      const { functionName, url } = node.callFrame;
      const component = componentOf(functionName, url);
      ms.set(component, (ms.get(component) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1_000);
    });
    return { result, ms };
  } finally {
    session.disconnect();
  }
}
