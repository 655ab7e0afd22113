/**
 * `ncf serve`: loads a model and its data once, answers the HTTP JSON API until SIGTERM or SIGINT,
 * then stops taking connections, lets requests in flight finish and closes the recommender. On
 * SIGHUP it loads the model file again and serves the new one; requests in flight finish on the
 * old one, and a file that fails to load leaves the old one serving.
 */
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type LoadOptions, loadRecommender } from '../recommend/recommender.js';
import type { RecommenderApi } from '../recommend/types.js';
import { withFoldInPool } from '../serve/fold-in-pool.js';
import { liveRecommender } from '../serve/live-recommender.js';
import { buildServer } from '../serve/server.js';
import { builtWebRoot } from '../serve/web-root.js';
import { type Db, isPostgresUrl, openDb } from '../store/index.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  dataDir?: string | null;
  /** People's profiles and ratings: a PGlite folder or a postgres:// URL; null serves without (no /api/profiles). */
  db?: string | null;
  log: (line: string) => void;
  progress?: Progress;
  /** Writes (new profiles, ratings) each IP may make per minute; default DEFAULT_WRITES_PER_MINUTE. */
  writesPerMinute?: number;
  /** Worker threads for fold-in (0: on the event loop); default 1. */
  foldInThreads?: number;
  /** The built web app to serve at /; default dist/web; null: the API alone. */
  webRoot?: string | null;
  /** Replaces loadRecommender (tests). */
  load?: (modelPath: string, opts: LoadOptions) => Promise<RecommenderApi>;
  /** Where SIGTERM, SIGINT and SIGHUP are listened for; default: process (tests pass their own emitter). */
  signals?: Pick<EventEmitter, 'on' | 'once' | 'off'>;
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8080, with the port actually bound. */
  url: string;
  /** Stops as a signal would; safe to call more than once. */
  stop: () => Promise<void>;
  /** Settles when the server and the recommender are closed. */
  stopped: Promise<void>;
  /** Settles when the reloads asked for so far (SIGHUP) are done. */
  reloaded: () => Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Serves until SIGTERM or SIGINT, then resolves once everything is closed. */
export async function runServe(modelPath: string, opts: ServeOptions): Promise<void> {
  const server = await startServe(modelPath, opts);
  await server.stopped;
}

export async function startServe(modelPath: string, opts: ServeOptions): Promise<RunningServer> {
  const threads = opts.foldInThreads ?? 1;
  const load =
    opts.load ??
    (async (path: string, o: LoadOptions): Promise<RecommenderApi> => {
      const rec = await loadRecommender(path, o);
      return threads > 0 ? withFoldInPool(rec, path, o, threads) : rec;
    });
  const loadOptions = { dataDir: opts.dataDir, progress: opts.progress, precompute: true };
  const rec = await load(modelPath, loadOptions);
  let db: Db | null = null;
  try {
    db = opts.db ? await openDb(opts.db) : null;
  } catch (err) {
    await rec.close();
    throw err;
  }
  const live = liveRecommender(rec);
  const webRoot = opts.webRoot === undefined ? builtWebRoot() : opts.webRoot;
  const app = buildServer(live.api, {
    db: db ?? undefined,
    webRoot,
    writesPerMinute: opts.writesPerMinute,
    onInternalError: (err, req) => opts.log(`ncf serve: internal error on ${req.method} ${req.url}: ${err.stack ?? err.message}`),
  });
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await app.close();
    await rec.close();
    await db?.close();
    throw listenError(err, opts);
  }
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  opts.log(`ncf serve: ${modelPath} on ${url} (${count(rec.info.users)} users, ${count(rec.info.movies)} movies)`);
  if (opts.db) opts.log(`ncf serve: profiles and ratings in ${isPostgresUrl(opts.db) ? 'PostgreSQL' : opts.db}`);
  opts.log(webRoot ? `ncf serve: the site at ${url}/` : 'ncf serve: no built web app (run npm run build): the API alone');

  const signals = opts.signals ?? process;
  let reloading: Promise<void> = Promise.resolve();
  const onHangUp = (): void => {
    reloading = reloading.then(async () => {
      opts.log(`ncf serve: SIGHUP, loading ${modelPath} again`);
      let next: RecommenderApi;
      try {
        next = await load(modelPath, loadOptions);
      } catch (err) {
        opts.log(`ncf serve: the reload failed, still serving the model loaded before: ${(err as Error).message}`);
        return;
      }
      await live.replace(next);
      opts.log(`ncf serve: now serving ${modelPath} (epoch ${next.info.epoch}, ${count(next.info.users)} users, ${count(next.info.movies)} movies)`);
    });
  };
  signals.on('SIGHUP', onHangUp);
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    opts.log(`ncf serve: ${signal}, stopping`);
    requestStop();
  };
  for (const s of SIGNALS) signals.once(s, onSignal);
  const stopped = stopRequested.then(async () => {
    // Only the first signal is ours: a second Ctrl-C gets Node's default and ends the process.
    for (const s of SIGNALS) signals.off(s, onSignal);
    signals.off('SIGHUP', onHangUp);
    try {
      await app.close(); // refuses new connections, waits for requests in flight
    } finally {
      await reloading;
      await live.close();
      await db?.close();
    }
    opts.log('ncf serve: stopped');
  });
  const stop = (): Promise<void> => {
    requestStop();
    return stopped;
  };
  return { app, url, stop, stopped, reloaded: () => reloading };
}

function listenError(err: unknown, opts: ServeOptions): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new NcfError(`port ${opts.port} on ${opts.host} is in use: pick another with --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new NcfError(`cannot listen on ${opts.host}: not an address of this machine (--host)`);
  if (code === 'EACCES') return new NcfError(`no permission to listen on port ${opts.port}: use one above 1023 (--port)`);
  return err;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
