/** One way the read model or a consumer knows more than the log holds. */
export interface LogIntegrityFinding {
  kind: 'read_model_ahead' | 'checkpoint_ahead' | 'positions_reused';
  detail: string;
  /** Events known elsewhere that the log lacks (0 when only a checkpoint says so). */
  missingEvents: number;
}

export interface LogIntegrityReport {
  ok: boolean;
  findings: LogIntegrityFinding[];
  /** Sum over the findings: what the repair could at most restore. */
  missingEvents: number;
  /** How to repair, for the log line and /health/ready. */
  remedy: string;
}

export function reportOf(findings: LogIntegrityFinding[], remedy: string): LogIntegrityReport {
  return { ok: findings.length === 0, findings, missingEvents: findings.reduce((sum, finding) => sum + finding.missingEvents, 0), remedy };
}
