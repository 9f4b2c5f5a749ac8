/** Child for the data-dir lock test: opens the embedded store in argv[2], says so, then waits to be killed. */
import { EmbeddedStore } from '../../server/store/embedded/index';

await EmbeddedStore.open(process.argv[2]!);
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
