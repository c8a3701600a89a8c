import { ReadStart } from '@waymark/event-log';

export interface ReplayRequest {
  start: ReadStart;
  /** Rebuild only this product's events (and with `tag`, only that tag's); the rest is kept as is. */
  product?: string;
  tag?: string;
}

export interface ReplayPlan {
  request: ReplayRequest;
  /** First log position to replay; undefined when nothing in scope is in the log. */
  fromPosition: string | undefined;
  /** The log's head when planned; the replay reads on past it until the hand-over. */
  headPosition: string;
  /** Events in scope between `fromPosition` and `headPosition`. */
  events: number;
  /** A partial replay keeps the live rows outside its scope (copied into the shadow table). */
  partial: boolean;
}

export function describeStart(start: ReadStart): string {
  if (start.kind === 'beginning') return 'the beginning of the log';
  if (start.kind === 'time') return `the first event at or after ${new Date(start.at).toISOString()}`;
  return `log position ${start.position}`;
}

export function describePlan(plan: ReplayPlan): string {
  const scope = plan.request.product ? ` of product ${plan.request.product}${plan.request.tag ? `, tag ${plan.request.tag}` : ''}` : '';
  if (plan.fromPosition === undefined) return `nothing to replay: no events${scope} from ${describeStart(plan.request.start)}`;
  const positions = `positions ${plan.fromPosition}..${plan.headPosition}, more if they arrive`;
  const copied = plan.partial ? '; rows outside that scope are copied over unchanged' : '';
  return `replay ${plan.events} events${scope} from ${describeStart(plan.request.start)} (${positions}) into a shadow table, then swap it in${copied}`;
}
