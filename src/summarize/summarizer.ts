export type SummaryMode = 'brief' | 'bullets' | 'detailed';

const SENTENCES: Record<SummaryMode, number> = { brief: 1, bullets: 3, detailed: 5 };
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

/**
 * An extractive summary: sentences scored by how often their words occur in the whole text, the
 * best kept in their original order. Small on purpose: it exists to exercise metering.
 */
export function summarize(text: string, mode: SummaryMode): string {
  const sentences =
    text
      .match(/[^.!?]+[.!?]*/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? [];
  if (sentences.length === 0) return '';
  const frequency = new Map<string, number>();
  for (const word of words(text)) if (!STOP_WORDS.has(word)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const score = (sentence: string) => {
    const own = words(sentence).filter((w) => !STOP_WORDS.has(w));
    return own.length ? own.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0) / own.length : 0;
  };
  const kept = sentences
    .map((sentence, index) => ({ sentence, index, score: score(sentence) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, SENTENCES[mode])
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence);
  return mode === 'bullets' ? kept.map((s) => `- ${s}`).join('\n') : kept.join(' ');
}
