/**
 * Command-line flags of `npm run serve` and `npm start`: only --help, since every option is an environment
 * variable (config.ts). An unknown flag is one line on stderr and exit code 2, never a stack trace.
 */
import { parseArgs } from 'node:util';

/** Parses argv; prints `usage` and exits 0 on --help, prints one line and exits 2 on anything else it does not know. */
export function parseCommandLine(command: string, usage: string, argv: string[] = process.argv.slice(2)): void {
  let help = false;
  try {
    help = !!parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values.help;
  } catch (err) {
    // parseArgs' own message names the flag ("Unknown option '--prot'") and then explains the `--` convention at length.
    const first = (err instanceof Error ? err.message : String(err)).split('. ')[0];
    console.error(`${command}: ${first} (see ${command} -- --help)`);
    process.exit(2);
  }
  if (help) {
    console.log(usage.trim());
    process.exit(0);
  }
}
