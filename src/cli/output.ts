import type { WriteStream } from 'node:tty';

// Output conventions: colour only on a terminal and never with NO_COLOR;
// exactly one JSON document on stdout with --json; progress on stderr.

export function useColor(stream: NodeJS.WriteStream | WriteStream): boolean {
  return !!stream.isTTY && !process.env.NO_COLOR;
}

let printed = false;

export function printJson(doc: unknown): void {
  printed = true;
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Whether this process already wrote its JSON document. */
export const jsonPrinted = (): boolean => printed;

export const paint = (on: boolean, code: number, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
