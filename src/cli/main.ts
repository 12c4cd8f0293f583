import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { CliError } from './errors.js';
import { jsonPrinted, printJson } from './output.js';

// The command-line entry point: flags and dispatch only. Each command lives
// in its own module, imported when it runs, so `--version` and `validate`
// never load a Google API client.

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('dpgce')
  .description('Private, proxied Google Cloud environments for Dataproc GPU clusters, from one env.json')
  .version(pkg.version)
  .showHelpAfterError();

const withEnv = (c: Command): Command =>
  c.option('--env <file>', 'the environment file', 'env.json').option('--json', 'print one JSON document on stdout');

/** Options of the commands that change things: they take the run lock. */
const withLock = (c: Command): Command =>
  c.option('--lock-timeout <seconds>', 'wait this long for another run\'s lock on the environment', '0')
    .option('--break-lock', 'break the environment\'s run lock, whoever holds it (after a run was killed elsewhere)');

const withTarget = (c: Command): Command =>
  withEnv(c)
    .option('--local', 'use the embedded emulator instead of Google Cloud')
    .option('--local-state <dir>', 'state folder of the embedded emulator', '.dpgce/local')
    .option('--emulator <url>', 'use a running `dpgce emulator serve`')
    .option('--impersonate-service-account <email>', 'act as this service account (Google Cloud only)');

withEnv(program.command('validate').description('check env.json offline; no API call'))
  .action(async (opts) => (await import('./validate.js')).validate(opts));

withTarget(program.command('plan').description('show what up would change, and why'))
  .option('--detailed-exitcode', 'exit 2 when there are changes')
  .option('--adopt', 'treat resources found without the ownership mark as this environment\'s')
  .action(async (opts) => (await import('./plan.js')).plan(opts));

withLock(withTarget(program.command('up').description('create or converge the environment')))
  .option('--yes', 'do not ask for confirmation')
  .option('--adopt', 'take over resources found without the ownership mark')
  .addOption(new Option('--no-create-cluster', 'build the network foundation only, even when CLUSTER_NAME is set'))
  .action(async (opts) => (await import('./up.js')).up(opts));

withTarget(program.command('status').description('show every resource and whether it is present'))
  .action(async (opts) => (await import('./status.js')).status(opts));

withLock(withTarget(program.command('down').description('delete what this environment owns')))
  .option('--yes', 'do not ask for confirmation')
  .option('--delete-bucket-contents', 'also delete objects dpgce did not write, so owned buckets can go')
  .action(async (opts) => (await import('./down.js')).down(opts));

withTarget(program.command('doctor').description('check that the environment is private, proxied and ready, with evidence and fixes'))
  .option('--connectivity-tests', 'also run the isolation questions as real Network Management Connectivity Tests (created, compared, deleted)')
  .action(async (opts) => (await import('./doctor.js')).doctor(opts));

const cluster = program.command('cluster').description('the Dataproc cluster on its own (CLUSTER_NAME)');
withTarget(cluster.command('create').description('create the cluster in an environment up has built'))
  .option('--yes', 'do not ask for confirmation')
  .option('--adopt', 'take over a cluster found without the ownership mark')
  .action(async (opts) => (await import('./cluster.js')).clusterCreate(opts));
withTarget(cluster.command('delete').description('delete the cluster, if this environment owns it'))
  .option('--yes', 'do not ask for confirmation')
  .action(async (opts) => (await import('./cluster.js')).clusterDelete(opts));
withTarget(cluster.command('status').description('the cluster and its signing secrets'))
  .action(async (opts) => (await import('./cluster.js')).clusterStatus(opts));
withTarget(cluster.command('command').description('print the equivalent gcloud dataproc clusters create'))
  .action(async (opts) => (await import('./cluster.js')).clusterCommand(opts));

const secureBoot = program.command('secure-boot').description('Secure Boot for GPU nodes');
withTarget(secureBoot.command('keys')
  .description('create or reuse the module-signing key in Secret Manager; write the UEFI db file set'))
  .option('--out <dir>', 'folder for the signature database files (default .dpgce/secure-boot/<ENV_NAME>)')
  .option('--waive-uefi-ca-2023', 'build the db without the Microsoft UEFI CA 2023')
  .action(async (opts) => (await import('./secure-boot.js')).secureBootKeys(opts));

const emulatorCmd = program.command('emulator').description('the local emulator of the Google APIs');
emulatorCmd.command('serve').description('serve the emulator on 127.0.0.1 and print the client environment')
  .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '0')
  .option('--state <dir>', 'state folder (state.json, requests.jsonl); in memory when absent')
  .option('--strict', 'refuse unknown fields and ignored parameters; small, shuffled list pages')
  .option('--json', 'print {url, env} as one JSON document instead of export lines')
  .option('--faults <file>', 'inject faults: a JSON file {"seed", "rules": [...]} (docs/emulator.md)')
  .option('--fault-seed <n>', 'the seed of the fault rules (overrides the file\'s)')
  .action(async (opts) => (await import('./emulator.js')).serve(opts));

const policy = program.command('policy')
  .description('test and explain the egress policy (offline unless --live)');
const withPolicy = (c: Command): Command =>
  withTarget(c).option('--live', 'read the deployed policy from the target instead of env.json');
withPolicy(policy.command('test').argument('[url...]', 'URLs a node would fetch')
  .description('ALLOW, DENY or BYPASS for each URL, with the deciding rule'))
  .option('--from-file <file>', 'also test the URLs in this file, one a line')
  .option('--source-service-account <email>', 'the request comes from this service account')
  .option('--source-tag <tagValue>', 'the request comes from a VM with this secure tag (repeatable)',
    (tag: string, tags: string[] = []) => [...tags, tag])
  .action(async (urls, opts) => (await import('./policy.js')).policyTest(urls, opts));
withPolicy(policy.command('explain').description('the policy rules as a table, in evaluation order'))
  .action(async (opts) => (await import('./policy.js')).policyExplain(opts));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const { scrub } = await import('../gcp/errors.js');
  const message = scrub(err instanceof Error ? err.message : String(err));
  process.stderr.write(`dpgce: ${message}\n`);
  if (!(err instanceof CliError) && process.env.DPGCE_LOG === 'debug' && err instanceof Error) {
    process.stderr.write(`${scrub(err.stack ?? '')}\n`);
  }
  // --json promises one document on stdout, failures included.
  if (process.argv.includes('--json') && !jsonPrinted()) printJson({ error: message });
  process.exitCode = 1;
}
