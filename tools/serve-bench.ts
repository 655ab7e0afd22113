/**
 * `npm run bench:serve`: load on `ncf serve`'s GET /recommend. With --model it starts `ncf serve`
 * as its own process on 127.0.0.1 (as a deployment would run it; the load generator then does not
 * share the server's event loop), checks one answer, then runs autocannon against
 * /recommend?user=<random user in 1..users>&k=10 and prints requests/s, p50 and p99 latency,
 * non-2xx answers and errors. Exits 1 if there were any non-2xx answers or errors.
 *
 *   node dist/tools/serve-bench.js --model models/ml-1m.ncf [--data-dir <dir>] [--seconds 10] [--connections 10]
 *   node dist/tools/serve-bench.js --fake      (a trivial in-memory recommender: the HTTP layer alone)
 *   node dist/tools/serve-bench.js --model m.ncf --fold-in 500 --requests 40 --connections 4 [--fold-in-threads 1]
 *       (POST /recommend with 500 likes each, while /health is asked every 10 ms: its latency
 *        during the burst says whether fold-in holds the event loop)
 *   node dist/tools/serve-bench.js --model m.ncf --profiles 50 [--db <folder|postgres://…>] [--seconds 10] [--connections 10]
 *       (50 profiles rate movies at once, every PUT a new (profile, movie); then their
 *        recommendations; then the server is killed with SIGKILL and every acknowledged rating
 *        is looked for in the database)
 *
 * MovieLens UserIDs run from 1 to the number of users, so a random id in that range is a known user.
 * autocannon shares the machine (2 cores here) with the server: read the figures as a floor.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RecommenderApi, ScoredMovie } from '../src/recommend/types.js';
import { buildServer } from '../src/serve/server.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' },
    'data-dir': { type: 'string' },
    fake: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    'fold-in': { type: 'string' },
    requests: { type: 'string', default: '40' },
    'fold-in-threads': { type: 'string', default: '1' },
    profiles: { type: 'string' },
    db: { type: 'string' },
  },
});
const seconds = Number(a.seconds);
const connections = Number(a.connections);
if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1) {
  console.error('serve-bench: --seconds must be > 0 and --connections a positive integer');
  process.exit(2);
}
if (!a.fake && !a.model) {
  console.error('serve-bench: give --model <file.ncf>, or --fake to bench the HTTP layer alone');
  process.exit(2);
}

const dbTarget = a.profiles ? (a.db ?? mkdtempSync(join(tmpdir(), 'ncf-serve-bench-'))) : null;
const server = a.fake ? await inProcess(fakeRecommender()) : await childServer(a.model!, a['data-dir'], a['fold-in-threads']!, dbTarget);
if (a.profiles) {
  await profileLoad(server, dbTarget!, Number(a.profiles), seconds, connections);
  process.exit(process.exitCode ?? 0);
}
if (a['fold-in']) {
  try {
    await foldInBurst(server.url, Number(a['fold-in']), Number(a.requests), connections);
  } finally {
    await server.close();
  }
  process.exit(process.exitCode ?? 0);
}
const base = server.url;
const users = server.users;
const randomPath = (): string => `/recommend?user=${1 + Math.floor(Math.random() * users)}&k=10`;

let failed = false;
try {
  const probe = await fetch(base + randomPath());
  const answer = (await probe.json()) as { mode?: string; items?: unknown[] };
  console.log(
    `serve-bench: ${a.fake ? 'fake recommender, in this process' : `ncf serve ${a.model}, its own process`} (${users} users) on ${base}; ` +
      `probe: ${probe.status}, mode ${answer.mode}, ${answer.items?.length} items`,
  );
  console.log(`GET /recommend?user=<random 1..${users}>&k=10, ${connections} connections, ${seconds}s`);
  const r = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: randomPath() }) }],
  });
  const total = r.requests.total;
  console.log(
    `requests/s ${r.requests.average.toFixed(0)} (${total} requests)  ` +
      // autocannon records latency in whole milliseconds; the mean shows what a 0 ms median hides.
      `latency p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  mean ${r.latency.average.toFixed(2)} ms  max ${r.latency.max} ms  ` +
      `non-2xx ${r.non2xx}  errors ${r.errors} (timeouts ${r.timeouts})`,
  );
  failed = probe.status !== 200 || r.non2xx > 0 || r.errors > 0 || total === 0;
} finally {
  await server.close();
}
if (failed) {
  console.error('serve-bench: FAILED (non-2xx answers, errors or no requests)');
  process.exitCode = 1;
}

interface Target {
  url: string;
  users: number;
  close: () => Promise<void>;
  kill?: () => Promise<void>;
}

async function inProcess(rec: RecommenderApi): Promise<Target> {
  const app = buildServer(rec);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users: rec.info.users,
    close: async () => {
      await app.close();
      await rec.close();
    },
  };
}

/** `ncf serve` on a free port, ready once its start-up line is printed; stopped with SIGTERM. */
async function childServer(model: string, dataDir: string | undefined, foldInThreads: string, db: string | null): Promise<Target> {
  const port = await freePort();
  const bin = fileURLToPath(new URL('../../bin/ncf.js', import.meta.url));
  const args = [
    bin,
    'serve',
    '--model',
    model,
    '--port',
    String(port),
    ...(db ? ['--db', db, '--writes-per-minute', '100000000'] : ['--no-db']),
    '--fold-in-threads',
    foldInThreads,
    ...(dataDir ? ['--data-dir', dataDir] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<string | null>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\((\d[\d,]*) users/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => resolve(null));
  });
  if (started === null) {
    console.error('serve-bench: ncf serve did not start');
    process.exit(1);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    users: Number(started.replace(/,/g, '')),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `requests` fold-ins of `likes` likes each (the most popular movies), `connections` at a time, and /health every 10 ms meanwhile. */
async function foldInBurst(base: string, likes: number, requests: number, connections: number): Promise<void> {
  const popular = ((await (await fetch(`${base}/recommend?user=1&k=100`)).json()) as { items: { movieId: number }[] }).items.map((m) => m.movieId);
  const all = ((await (await fetch(`${base}/movies?search=%20&limit=50`)).json()) as { movies: { movieId: number }[] }).movies.map((m) => m.movieId);
  const ids = [...new Set([...popular, ...all, ...Array.from({ length: 4000 }, (_, k) => k + 1)])].slice(0, likes);
  const body = JSON.stringify({ likes: ids, k: 10 });
  const health: number[] = [];
  let burst = true;
  const probe = (async () => {
    while (burst) {
      const t = performance.now();
      await fetch(`${base}/health`);
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const r = await autocannon({
    url: `${base}/recommend`,
    connections,
    amount: requests,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  burst = false;
  await probe;
  const q = (xs: number[], p: number): number => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  console.log(
    `fold-in burst: ${requests} × POST /recommend with ${ids.length} likes, ${connections} at a time: ` +
      `latency p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`,
  );
  console.log(
    `GET /health during it (${health.length} probes): p50 ${q(health, 0.5).toFixed(1)} ms  p99 ${q(health, 0.99).toFixed(1)} ms  max ${Math.max(...health).toFixed(1)} ms`,
  );
  if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
}

/** `n` profiles rate at once for `seconds`, each PUT a (profile, movie) of its own; then recommendations; then kill -9 and a count of what was kept. */
async function profileLoad(server: Target, db: string, n: number, seconds: number, connections: number): Promise<void> {
  const base = server.url;
  const movies = new Set<number>();
  for (let u = 1; u <= 30; u++) {
    for (const m of ((await (await fetch(`${base}/recommend?user=${u}&k=100`)).json()) as { items: { movieId: number }[] }).items) movies.add(m.movieId);
  }
  const ids = [...movies];
  const profiles = await Promise.all(
    Array.from({ length: n }, async () => (await (await fetch(`${base}/api/profiles`, { method: 'POST' })).json()) as { id: string; token: string }),
  );
  // Request q rates movie ids[⌊q / n⌋] for profile q mod n: no pair twice while q < n · |ids|.
  // One request in flight per connection, so its context holds the pair until the answer.
  let q = 0;
  type Pair = { key: string; rating: number };
  const sent = new Map<string, number>();
  const acked = new Map<string, number>();
  const put = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'PUT',
        setupRequest: (req, context: { pair?: Pair }) => {
          const k = q++ % (n * ids.length);
          const p = profiles[k % n];
          const movieId = ids[Math.floor(k / n)];
          const rating = 1 + (k % 5);
          context.pair = { key: `${p.id}/${movieId}`, rating };
          sent.set(context.pair.key, rating);
          return {
            ...req,
            path: `/api/profiles/${p.id}/ratings/${movieId}`,
            headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ rating }),
          };
        },
        onResponse: (status, _body, context: { pair?: Pair }) => {
          if (status === 200 && context.pair) acked.set(context.pair.key, context.pair.rating);
        },
      },
    ],
  });
  console.log(
    `PUT /api/profiles/{id}/ratings/{movieId}, ${n} profiles, ${connections} connections, ${seconds}s: ${put.requests.total} requests, ` +
      `${put.requests.average.toFixed(0)}/s  p50 ${put.latency.p50} ms  p99 ${put.latency.p99} ms  max ${put.latency.max} ms  non-2xx ${put.non2xx}  errors ${put.errors}`,
  );
  let r = 0;
  const get = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const p = profiles[r++ % n];
          return { ...req, path: `/api/profiles/${p.id}/recommendations?k=10`, headers: { authorization: `Bearer ${p.token}` } };
        },
      },
    ],
  });
  console.log(
    `GET /api/profiles/{id}/recommendations?k=10, ${connections} connections, ${seconds}s: ${get.requests.total} requests, ` +
      `${get.requests.average.toFixed(0)}/s  p50 ${get.latency.p50} ms  p99 ${get.latency.p99} ms  max ${get.latency.max} ms  non-2xx ${get.non2xx}  errors ${get.errors}`,
  );
  await server.kill!();
  const { openDb } = await import('../src/store/index.js');
  const store = await openDb(db);
  try {
    const { rows } = await store.query<{ profile_id: string; movie_id: number; rating: number }>('SELECT profile_id, movie_id, rating FROM ratings');
    const kept = new Map(rows.map((x) => [`${x.profile_id}/${x.movie_id}`, x.rating]));
    const lost = [...acked].filter(([key, rating]) => kept.get(key) !== rating).length;
    console.log(`after kill -9: ${acked.size} ratings acknowledged (${sent.size} sent), ${rows.length} in the database; acknowledged but not kept: ${lost}`);
    if (lost > 0) process.exitCode = 1;
  } finally {
    await store.close();
  }
  if (put.non2xx > 0 || get.non2xx > 0 || put.errors > 0 || get.errors > 0) process.exitCode = 1;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Ten fixed movies for every user: what is left is routing, validation and JSON. */
function fakeRecommender(): RecommenderApi {
  const items: ScoredMovie[] = Array.from({ length: 10 }, (_, i) => ({
    movieId: i + 1,
    title: `Movie ${i + 1} (2000)`,
    genres: ['Drama'],
    score: 10 - i,
  }));
  return {
    info: { model: 'fake', dataset: 'fake', epoch: 0, users: 6040, movies: 3706, minLikes: 3 },
    forUser: async (user, k) => ({ mode: 'model', reason: 'fake', user, likes: [], unknownLikes: [], items: items.slice(0, k) }),
    forLikes: async (likes, k) => ({ mode: 'fold-in', reason: 'fake', user: null, likes, unknownLikes: [], items: items.slice(0, k) }),
    searchMovies: () => [],
    movie: () => null,
    genres: () => [],
    userHistory: () => null,
    modelCard: () => {
      throw new Error('the benchmark fake has no model card');
    },
    dataStats: () => Promise.reject(new Error('the benchmark fake has no data')),
    close: async () => {},
  };
}
