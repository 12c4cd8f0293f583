// Which machine families each NVIDIA GPU attaches to, and how many per VM.
// Source: Compute Engine "GPU machine types" (cloud.google.com/compute/docs/gpus):
// T4, V100, P100 and P4 attach to N1 VMs in counts of 1, 2 or 4 (V100 also
// 8); L4 comes with G2, A100 with A2 and H100 with A3, where the machine type
// fixes the count (g2-standard-24 has 2 L4s, a2-highgpu-4g has 4 A100s).
// Only the documented pairings are listed: an unknown GPU is reported, not
// guessed.

export interface AcceleratorFamily {
  /** The machine series the GPU attaches to (`n1`, `g2`, `a2`, `a3`). */
  series: string;
  /** N1: the counts that may be attached. */
  counts?: number[];
  /** G2/A2/A3: the GPUs each machine type comes with. */
  builtIn?: Record<string, number>;
  /** The machine type dpgce picks for N GPUs. */
  defaults: Record<number, string>;
}

const n1 = (counts: number[]): AcceleratorFamily => ({
  series: 'n1',
  counts,
  defaults: Object.fromEntries(counts.map((c) => [c, `n1-standard-${Math.max(8, c * 4)}`])),
});

/** The first machine type listed for a count is the default for it. */
function fixed(series: string, types: Record<string, number>): AcceleratorFamily {
  const defaults: Record<number, string> = {};
  for (const [type, count] of Object.entries(types)) defaults[count] ??= type;
  return { series, builtIn: types, defaults };
}

const G2 = fixed('g2', {
  'g2-standard-8': 1,
  'g2-standard-4': 1,
  'g2-standard-12': 1,
  'g2-standard-16': 1,
  'g2-standard-32': 1,
  'g2-standard-24': 2,
  'g2-standard-48': 4,
  'g2-standard-96': 8,
});
const A2_HIGH = fixed('a2', {
  'a2-highgpu-1g': 1,
  'a2-highgpu-2g': 2,
  'a2-highgpu-4g': 4,
  'a2-highgpu-8g': 8,
  'a2-megagpu-16g': 16,
});
const A2_ULTRA = fixed('a2', {
  'a2-ultragpu-1g': 1,
  'a2-ultragpu-2g': 2,
  'a2-ultragpu-4g': 4,
  'a2-ultragpu-8g': 8,
});
const A3_HIGH = fixed('a3', {
  'a3-highgpu-1g': 1,
  'a3-highgpu-2g': 2,
  'a3-highgpu-4g': 4,
  'a3-highgpu-8g': 8,
});

/** Accelerator type -> where it attaches. `-vws` (virtual workstation) types pair alike. */
export const ACCELERATORS: Record<string, AcceleratorFamily> = {
  'nvidia-tesla-t4': n1([1, 2, 4]),
  'nvidia-tesla-t4-vws': n1([1, 2, 4]),
  'nvidia-tesla-v100': n1([1, 2, 4, 8]),
  'nvidia-tesla-p100': n1([1, 2, 4]),
  'nvidia-tesla-p100-vws': n1([1, 2, 4]),
  'nvidia-tesla-p4': n1([1, 2, 4]),
  'nvidia-tesla-p4-vws': n1([1, 2, 4]),
  'nvidia-l4': G2,
  'nvidia-l4-vws': G2,
  'nvidia-tesla-a100': A2_HIGH,
  'nvidia-a100-80gb': A2_ULTRA,
  'nvidia-h100-80gb': A3_HIGH,
  'nvidia-h100-mega-80gb': fixed('a3', { 'a3-megagpu-8g': 8 }),
};

/** The machine type used without an explicit one: a fit for the GPU, else n2-standard-4. */
export function defaultMachineType(accelerator: string | undefined, count: number): string {
  if (!accelerator) return 'n2-standard-4';
  const family = ACCELERATORS[accelerator];
  return family?.defaults[count] ?? family?.defaults[1] ?? 'n1-standard-8';
}

/**
 * Why `machineType` cannot take `count` GPUs of `accelerator`, as a
 * sentence that says what would work; undefined when it can.
 */
export function pairingProblem(
  accelerator: string,
  count: number,
  machineType: string,
): string | undefined {
  const family = ACCELERATORS[accelerator];
  if (!family) {
    return (
      `dpgce does not know which machine types take ${accelerator}; known types: ` +
      `${Object.keys(ACCELERATORS).join(', ')}`
    );
  }
  const series = machineType.split('-')[0];
  const example = family.defaults[count] ?? family.defaults[1];
  if (series !== family.series) {
    return (
      `${accelerator} attaches only to ${family.series.toUpperCase()} machine types, and ` +
      `${machineType} is ${series.toUpperCase()}; use, e.g., ${example}`
    );
  }
  if (family.counts && !family.counts.includes(count)) {
    return (
      `${family.series.toUpperCase()} VMs take ${family.counts.join(', ')} of ${accelerator}, ` +
      `not ${count}; set ACCELERATOR_COUNT to one of those`
    );
  }
  const builtIn = family.builtIn?.[machineType];
  if (family.builtIn && builtIn === undefined) {
    return (
      `${machineType} is not a ${family.series.toUpperCase()} machine type with ${accelerator}; ` +
      `use one of ${Object.keys(family.builtIn).sort().join(', ')}`
    );
  }
  if (builtIn !== undefined && builtIn !== count) {
    const fit = family.defaults[count];
    return (
      `${machineType} comes with ${builtIn} ${accelerator}, not ${count}; set ` +
      `ACCELERATOR_COUNT to ${builtIn}${fit ? ` or use ${fit}` : ''}`
    );
  }
  return undefined;
}
