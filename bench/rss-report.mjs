// Loaded with `node --import` into a benchmarked CLI process: reports the
// process's peak resident memory when it exits, on a file the benchmark reads.
import { appendFileSync } from 'node:fs';
const file = process.env.DPGCE_BENCH_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
