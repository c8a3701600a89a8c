import { MAX_FUNNEL_STEPS } from '@waymark/read-model';
import { z } from 'zod';
import { textField } from '../../shared/request-fields';
import { funnelQuerySchema, tagDashboardQuerySchema } from '../analytics.dto';

/** At most this many users per answer: a drill-down shows a list to click through, not an export. */
export const MAX_DRILL_USERS = 100;
const limit = z.coerce.number().int().min(1).max(MAX_DRILL_USERS).default(50);

/** Users with an activity record of `step` in the range (the Sankey's node → its users). */
export const stepUsersQuerySchema = tagDashboardQuerySchema
  .omit({ interval: true })
  .extend({ step: textField(256), limit })
  .strict();
export type StepUsersParams = z.infer<typeof stepUsersQuerySchema>;

/** Users whose furthest step of the funnel, in order within the window, is `reached` (a drop-off → its users). */
export const funnelUsersQuerySchema = funnelQuerySchema.extend({ reached: z.coerce.number().int().min(1).max(MAX_FUNNEL_STEPS), limit }).strict();
export type FunnelUsersParams = z.infer<typeof funnelUsersQuerySchema>;

/** The activity names seen in a range, for step pickers (funnel builder, paths anchor). */
export const stepNamesQuerySchema = tagDashboardQuerySchema.omit({ interval: true }).strict();
export type StepNamesParams = z.infer<typeof stepNamesQuerySchema>;
