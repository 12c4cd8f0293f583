// Cloud Storage naming: bucket names (BUCKET, TEMP_BUCKET and the bucket of
// PROXY_CERT_GCS_PATH) and `gs://` object locations. Bucket names are global
// and checked by the service only at create time, far into an `up`, so every
// documented rule is checked here instead.

import ipaddr from 'ipaddr.js';
import { firstNonAscii, problem, show, type Problem, type StringRule } from './problem.js';

const BUCKET_DETAIL =
  'A bucket name has 3-63 characters (up to 222 with dots, each dot-separated part at most ' +
  '63): lowercase letters, digits, hyphens, underscores and dots, starting and ending with a ' +
  'letter or digit.';

/** Each check: a test that fails on a bad name, and the words for why. */
const BUCKET_CHECKS: Array<[(name: string) => boolean, string]> = [
  [(n) => /[A-Z]/.test(n), 'has uppercase letters, which bucket names cannot have'],
  [(n) => /[^a-z0-9._-]/.test(n), 'has a character other than a-z, 0-9, "-", "_" and "."'],
  [(n) => n.includes('..'), 'has consecutive dots, which bucket names cannot have'],
  [(n) => !/^[a-z0-9]/.test(n) || !/[a-z0-9]$/.test(n),
    'does not start and end with a letter or digit'],
  [(n) => n.length < 3, 'is shorter than 3 characters'],
  [(n) => !n.includes('.') && n.length > 63, 'is longer than 63 characters'],
  [(n) => n.length > 222, 'is longer than 222 characters'],
  [(n) => n.split('.').some((part) => part.length > 63),
    'has a dot-separated part longer than 63 characters'],
  [(n) => ipaddr.IPv4.isValidFourPartDecimal(n), 'is an IP address, which bucket names cannot be'],
  [(n) => n.startsWith('goog'), 'starts with "goog", which Cloud Storage reserves'],
  [(n) => /g[o0][o0]gle/.test(n),
    'contains "google" (or a look-alike), which Cloud Storage reserves'],
];

export const bucketRule: StringRule = (name) => {
  const odd = firstNonAscii(name);
  if (odd) return problem(`${show(name)} contains the non-ASCII character ${odd}`, BUCKET_DETAIL);
  for (const [fails, why] of BUCKET_CHECKS) {
    if (fails(name)) return problem(`${show(name)} ${why}`, BUCKET_DETAIL);
  }
  return undefined;
};

/** Splits `gs://bucket/object`; undefined when the value is not of that shape. */
export function splitGcsPath(value: string): { bucket: string; object: string } | undefined {
  const match = /^gs:\/\/([^/]*)\/(.*)$/s.exec(value);
  return match ? { bucket: match[1], object: match[2] } : undefined;
}

const GCS_DETAIL = 'Write it as gs://BUCKET/OBJECT, e.g. gs://my-bucket/proxy.cer.';

/** A `gs://bucket/object` location of one object (not a folder). */
export const gcsObjectPathRule: StringRule = (value) => {
  const v = show(value);
  if (!value.startsWith('gs://')) return problem(`${v} does not start with gs://`, GCS_DETAIL);
  const parts = splitGcsPath(value);
  if (!parts || parts.bucket === '') {
    return problem(`${v} has no bucket name after gs://`, GCS_DETAIL);
  }
  const bucket = bucketRule(parts.bucket);
  if (bucket) return problem(`${v} has an invalid bucket: ${bucket.summary}`, bucket.detail);
  return objectNameProblem(v, parts.object);
};

function objectNameProblem(v: string, object: string): Problem | undefined {
  if (object === '') return problem(`${v} has no object name after the bucket`, GCS_DETAIL);
  if (object.endsWith('/')) {
    return problem(`${v} ends with "/", so it names a folder, not an object`, GCS_DETAIL);
  }
  if (object === '.' || object === '..' || /[\r\n]/.test(object)) {
    return problem(`${v} has an object name Cloud Storage does not allow`, GCS_DETAIL);
  }
  if (new TextEncoder().encode(object).length > 1024) {
    return problem(`${v} has an object name longer than 1024 bytes`, GCS_DETAIL);
  }
  return undefined;
}
