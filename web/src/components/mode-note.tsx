/** How an answer was made (the model, fold-in or popularity) and the server's reason, said plainly. */
const LABELS: Record<string, string> = {
  model: 'from the model',
  'fold-in': 'folded in from your likes',
  popularity: 'most popular',
  'popularity+genres': 'popular in the genres you like',
};

export function ModeNote({ mode, reason }: { mode: string; reason: string }) {
  return (
    <p class="mode">
      <span class={`badge badge-${mode.replace('+', '-')}`} data-mode={mode}>
        {LABELS[mode] ?? mode}
      </span>{' '}
      <span class="reason">{reason}</span>
    </p>
  );
}
