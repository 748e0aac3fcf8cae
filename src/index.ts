/** crosstalk as a library: verify a client from your own tests, or use the mock server on its own. */
export { verify, assertSafeToShare, UnsafeToShareError } from './verify/run-verify.js';
export type { VerifyOptions } from './verify/run-verify.js';
export { verifyAgainst } from './verify/verify.js';
export type { VerifyResult, VerifySettings, Failure } from './verify/verify.js';
export type { VerifyInput } from './verify/config.js';
export type { InvariantSummary } from './verify/summary.js';
export { verifyShard } from './verify/shard.js';
export type { ShardInfo, ShardResult, ShardSettings } from './verify/shard.js';
export { mergeShards } from './verify/merge.js';
export type { MergedResult, NamedShard } from './verify/merge.js';
export type { HistoryLogLine, HistoryLogHeader, HistoryLogRun, HistoryLogEnd } from './verify/history-log.js';
export { formatReport } from './report/console.js';
export { renderHtmlReport, writeHtmlReport } from './report/html/html-report.js';
export { VERIFY_SCHEMA } from './verify/verify.js';
export { parseSavedResult, readSavedResult, serializeResult, writeSavedResult } from './verify/saved-result.js';
export { recheckResult } from './verify/recheck.js';
export type { Recheck } from './verify/recheck.js';
export type { RecordedSettings } from './verify/recorded-settings.js';
export { checkRun, INVARIANTS } from './check/index.js';
export type { CheckResult, CheckStatus, Invariant, InvariantId, Violation } from './check/index.js';
export type {
  ClientFactory,
  ClientOptions,
  ClientTraits,
  ClientUnderTest,
  Credentials,
  Operation,
  OperationResult,
} from './clients/contract.js';
export { loadClient, BUILTIN_CLIENT_NAMES } from './clients/registry.js';
export { startMockServer } from './server/index.js';
export type { MockServer, MockServerOptions } from './server/index.js';
export { scenarioArbitrary } from './scenario/arbitrary.js';
export { faultedResponse, FAULT_KINDS } from './scenario/faults.js';
export type { Scenario, OpPlan, CallerPlan, Tenant } from './scenario/scenario.js';
export type { RunHistory, CallRecord } from './history/run-history.js';
export type { ServerHistory, RequestRecord, SocketRecord } from './history/records.js';
export { ConfigError, CrosstalkError } from './errors.js';
