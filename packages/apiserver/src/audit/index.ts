// The audit log (issue 12 §4, ADR 0020).
export { AuditLog, auditUpgrade, registerAudit, registerAuditReceived, type AuditOptions } from './audit.ts';
export { parsePolicy, levelFor, DEFAULT_POLICY, type Policy, type PolicyRule, type Level } from './policy.ts';
export { backups as auditBackups } from './writer.ts';
