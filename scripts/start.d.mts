/** Types of scripts/start.mjs for the TypeScript callers (the benchmark). */
export function compile(entry: string, outfile: string, inputs: string[]): Promise<string>
export function buildMock(): Promise<string>
