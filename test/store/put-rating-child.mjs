// Child of durability.test.ts: puts a rating in the PGlite folder argv[2], prints "ok <profile id>"
// once putRating has resolved, then waits to be killed (SIGKILL: no close, no exit handlers).
import { pathToFileURL } from 'node:url';

const [folder, distStore] = process.argv.slice(2);
const { createProfile, openDb, putRating } = await import(pathToFileURL(distStore).href);
const db = await openDb(folder);
const { id } = await createProfile(db);
await putRating(db, id, 1193, { rating: 4 });
process.stdout.write(`ok ${id}\n`);
setInterval(() => {}, 60_000);
