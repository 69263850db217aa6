// Child process of the benchmark: the scheduler as `skiff scheduler --server URL` runs it
// (default config, no leader election, endpoint on a free port). Prints `ready URL` once synced.
import { createScheduler } from '../src/index.ts';

const scheduler = createScheduler({ server: process.argv[2], endpoint: { port: 0 }, leaderElection: false, log: () => {} });
await scheduler.start();
console.log(`ready ${scheduler.endpointUrl}`);
process.on('SIGTERM', () => void scheduler.stop().then(() => process.exit(0)));
