// Reading the real request/response transcripts in
// ../shared/reference/gcp-recordings/<case>/_http.log (never copied into the
// repository). Tests that use them skip with a printed reason when the
// folder is absent.

import { existsSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from './example.js';

export interface Exchange {
  method: string;
  url: string;
  request?: any;
  status: number;
  response?: any;
}

const RECORDINGS = new URL('../shared/reference/gcp-recordings/', REPO_ROOT);

/** Why a recording cannot be used, or undefined when it can. */
export function recordingMissing(name: string): string | undefined {
  return existsSync(new URL(`${name}/_http.log`, RECORDINGS))
    ? undefined
    : `../shared/reference/gcp-recordings/${name} is absent; this comparison needs the recording`;
}

const json = (text: string): any => (text.trim() ? JSON.parse(text) : undefined);

/** Every exchange of a recording, with `${placeholders}` replaced as given. */
export function exchanges(name: string, values: Record<string, string> = {}): Exchange[] {
  let text = readFileSync(new URL(`${name}/_http.log`, RECORDINGS), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.split(`\${${k}}`).join(v);
  return text
    .split(/\n---\n/)
    .filter((b) => b.trim())
    .map((block) => {
      const [requestPart, ...rest] = block.trim().split(/\n(?=\d{3} [A-Za-z ]+\n)/);
      const [requestHead, ...requestBody] = requestPart.split(/\n\n/);
      const [method, url] = requestHead.split('\n')[0].split(' ');
      const responsePart = rest.join('\n');
      const [responseHead, ...responseBody] = responsePart.split(/\n\n/);
      return {
        method,
        url,
        request: json(requestBody.join('\n\n')),
        status: Number(responseHead.split(' ')[0]),
        response: json(responseBody.join('\n\n')),
      };
    });
}
