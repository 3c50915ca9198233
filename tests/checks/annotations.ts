/**
 * Annotations the conformance reporter reads: which of several allowed answers the target gave,
 * and warnings (findings that do not fail a test).
 */
import { test } from '@playwright/test'

/** Records the answer a check accepted, e.g. `error=invalid_client_metadata` or `rejected-by=tls-failure`. */
export function recordAnswer(kind: string, value: string): void {
  test.info().annotations.push({ type: 'answer', description: `${kind}=${value}` })
}

/** Records a finding that does not fail the test (the conformance suite's WARNING). */
export function warn(description: string): void {
  test.info().annotations.push({ type: 'warning', description })
}
