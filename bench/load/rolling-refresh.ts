import { Progress } from '../support/progress';
import { percentile } from '../support/stats';

export interface RollingRefreshResult {
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  maxMs: number;
  timeouts: number;
  durationS: number;
}

/**
 * A closed loop where each connection owns one session and always presents the refresh
 * token its previous answer gave it. Built on fetch rather than autocannon, which
 * prepares a connection's next request before handing over the previous answer, so a
 * token-following loop would present spent tokens (and rightly get sessions revoked).
 */
export async function rollingRefresh(
  url: string,
  body: (refreshToken: string) => string,
  tokens: string[],
  durationS: number,
  progress: Progress,
): Promise<RollingRefreshResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  const deadline = performance.now() + durationS * 1000;
  const started = performance.now();
  const ticker = setInterval(
    () => progress.update(`refresh: ${Math.round((performance.now() - started) / 1000)}/${durationS} s, ${latencies.length.toLocaleString('en-US')} answers`),
    1000,
  );
  await Promise.all(
    tokens.map(async (initial) => {
      let token = initial;
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(token) });
          const text = await response.text();
          latencies.push(performance.now() - sent);
          statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
          if (response.status === 200) token = (JSON.parse(text) as { refreshToken: string }).refreshToken;
          else return;
        } catch {
          errors += 1;
          return;
        }
      }
    }),
  );
  clearInterval(ticker);
  progress.clear();
  const elapsedS = (performance.now() - started) / 1000;
  const ok = statusCodes['200'] ?? 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    okPerSecond: ok / elapsedS,
    ok,
    non2xx: latencies.length - ok,
    errors,
    statusCodes,
    p50Ms: Math.round(percentile(sorted, 50)),
    p97_5Ms: Math.round(percentile(sorted, 97.5)),
    p99Ms: Math.round(percentile(sorted, 99)),
    maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
    timeouts: 0,
    durationS: elapsedS,
  };
}
