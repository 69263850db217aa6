// Child process of the benchmark: a real skiff API server on a free port with its own data
// directory (argv[2]). Prints `listening on URL`, runs until killed.
import { startApiServer } from '@skiff/apiserver';

const server = await startApiServer({ dataDir: process.argv[2], port: 0 });
console.log(`listening on ${server.url}`);
