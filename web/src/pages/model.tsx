/** The model card: which model, its dataset, HR@k and NDCG@k under both protocols, and how long it trained. */
import { useEffect, useState } from 'preact/hooks';
import { api, type ModelCard, type RecommenderInfo } from '../api.js';

type Scores = ModelCard['metrics']['sampled'];

const fixed = (x: number) => x.toFixed(4);
const seconds = (s: number | null) => (s === null ? 'not recorded' : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

function protocolRow(name: string, k: number, s: Scores) {
  return (
    <tr key={name}>
      <th scope="row">{name}</th>
      <td>{s ? fixed(s.hr) : '—'}</td>
      <td>{s ? fixed(s.ndcg) : '—'}</td>
      <td>
        {s
          ? `${s.users.toLocaleString('en')} users, ${Math.round(s.candidates).toLocaleString('en')} candidates each`
          : `not recorded for this epoch (HR@${k})`}
      </td>
    </tr>
  );
}

export function ModelPage() {
  const [card, setCard] = useState<(ModelCard & { serving: RecommenderInfo }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.model().then(setCard, (err: Error) => setError(err.message));
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!card) return <p class="note">Loading…</p>;
  const t = card.training;
  const k = card.metrics.k;
  return (
    <section aria-labelledby="card-title">
      <h1 id="card-title">Model card</h1>
      <p class="lead">{card.model.description}</p>
      <dl class="figures">
        <div>
          <dt>Dataset</dt>
          <dd>
            {card.dataset.name}: {card.dataset.users.toLocaleString('en')} users, {card.dataset.movies.toLocaleString('en')} movies
          </dd>
        </div>
        <div>
          <dt>Parameters</dt>
          <dd>{card.model.parameters.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Epoch</dt>
          <dd>
            {card.epoch} of {card.plannedEpochs}
          </dd>
        </div>
        <div>
          <dt>Training time</dt>
          <dd>
            {seconds(t.seconds)} ({seconds(t.trainSeconds)} in training steps)
          </dd>
        </div>
      </dl>
      <table data-testid="metrics">
        <caption>Ranking quality of the saved epoch on the held-out movies (leave-one-out)</caption>
        <thead>
          <tr>
            <th scope="col">Protocol</th>
            <th scope="col">HR@{k}</th>
            <th scope="col">NDCG@{k}</th>
            <th scope="col">Ranked among</th>
          </tr>
        </thead>
        <tbody>
          {protocolRow('Sampled (He et al.)', k, card.metrics.sampled)}
          {protocolRow('Full ranking', k, card.metrics.full)}
        </tbody>
      </table>
      <h2>How it was trained</h2>
      <p>
        {t.optimizer}, learning rate {t.lr}, batch {t.batchSize}, {t.negatives} negatives per positive, seed {t.seed}, on the {t.engine} engine. Model file:{' '}
        <code>{card.file}</code>.
      </p>
    </section>
  );
}
