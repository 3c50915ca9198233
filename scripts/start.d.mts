/** Types of scripts/start.mjs for the TypeScript callers (the benchmark, the package test). */
export const ENTRIES: Record<string, string>
export function compile(entry: string, outfile: string, inputs: string[]): Promise<string>
export function buildMock(name?: string): Promise<string>
export function runBundle(name: string, argv: string[]): Promise<void>
