// The `skiff` executable: parses the command line and hands off to one module per command.
import { buildProgram } from './program.ts';

// A user's skiff runs as production: informer caches are not deep-frozen (a cost on every object
// a component receives; see @skiff/client's store.ts). Tests (jest sets NODE_ENV=test, and the
// processes they start inherit it) keep the freeze, which turns a mutated cache into a TypeError.
process.env.NODE_ENV ??= 'production';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`skiff: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
