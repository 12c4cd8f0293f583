import { closest, distance } from 'fastest-levenshtein';
import type { Diagnostic } from './types.js';

// The Compute Engine regions and their zones, from Google's public list
// (cloud.google.com/compute/docs/regions-zones, 2026). New regions open
// every year, so a name outside this table is a warning, not an error; but
// a typo (us-centrall1) would otherwise reach `up` and fail there, or
// make every regional resource and bucket differ from what exists. The
// emulator keeps its own copy of this list (apis/compute-aggregated.ts): it
// shares nothing with the client, so a wrong entry cannot hide on both sides.

/** Region -> the letters of its zones. */
const ZONES: Record<string, string> = {
  'africa-south1': 'abc', 'asia-east1': 'abc', 'asia-east2': 'abc', 'asia-northeast1': 'abc',
  'asia-northeast2': 'abc', 'asia-northeast3': 'abc', 'asia-south1': 'abc', 'asia-south2': 'abc',
  'asia-southeast1': 'abc', 'asia-southeast2': 'abc', 'australia-southeast1': 'abc',
  'australia-southeast2': 'abc', 'europe-central2': 'abc', 'europe-north1': 'abc', 'europe-north2': 'abc',
  'europe-southwest1': 'abc', 'europe-west1': 'bcd', 'europe-west10': 'abc', 'europe-west12': 'abc',
  'europe-west2': 'abc', 'europe-west3': 'abc', 'europe-west4': 'abc', 'europe-west6': 'abc',
  'europe-west8': 'abc', 'europe-west9': 'abc', 'me-central1': 'abc', 'me-central2': 'abc', 'me-west1': 'abc',
  'northamerica-northeast1': 'abc', 'northamerica-northeast2': 'abc', 'northamerica-south1': 'abc',
  'southamerica-east1': 'abc', 'southamerica-west1': 'abc', 'us-central1': 'abcf', 'us-east1': 'bcd',
  'us-east4': 'abc', 'us-east5': 'abc', 'us-south1': 'abc', 'us-west1': 'abc', 'us-west2': 'abc',
  'us-west3': 'abc', 'us-west4': 'abc',
};

const warning = (key: string, summary: string, detail: string): Diagnostic => ({ severity: 'warning', key, summary, detail });

/** REGION and ZONE against the table: warnings, with the nearest known name when one is close. */
export function checkRegionAndZone(region: string | undefined, zone: string | undefined): Diagnostic[] {
  if (!region) return [];
  const letters = ZONES[region];
  if (letters === undefined) {
    const near = closest(region, Object.keys(ZONES));
    const hint = distance(region, near) <= 2 ? `Did you mean "${near}"? ` : '';
    return [warning('REGION', `REGION "${region}" is not a Compute Engine region dpgce knows`,
      `${hint}If it is a new region, carry on; otherwise fix it now: a wrong region fails at the first regional ` +
      'request, and buckets are created in the region env.json names.')];
  }
  const letter = zone?.startsWith(`${region}-`) ? zone.slice(region.length + 1) : undefined;
  if (letter === undefined || (letter.length === 1 && letters.includes(letter))) return [];
  return [warning('ZONE', `ZONE "${zone}" is not a zone of ${region} dpgce knows`,
    `${region} has zones ${[...letters].map((l) => `${region}-${l}`).join(', ')}.`)];
}
