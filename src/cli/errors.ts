/** The tool's own failures (bad flags, refused confirmation): printed as they are. */
export class CliError extends Error {}
