/**
 * The item name of an XML array from the array's own name: roles -> role, addresses -> address,
 * entries -> entry, upload-errors -> upload-error. Rules follow the Rails inflector the Core API is
 * built on; only the last dashed (or underscored) word is inflected.
 */
const uncountable = new Set(['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police', 'news', 'data', 'metadata']);

const irregular: Record<string, string> = {
  people: 'person',
  men: 'man',
  women: 'woman',
  children: 'child',
  sexes: 'sex',
  moves: 'move',
  zombies: 'zombie',
};

/** First match wins, so specific rules come before general ones. */
const rules: ReadonlyArray<readonly [RegExp, string]> = [
  [/(quiz)zes$/i, '$1'],
  [/(matr)ices$/i, '$1ix'],
  [/(vert|ind)ices$/i, '$1ex'],
  [/^(ox)en$/i, '$1'],
  [/(alias|status|bus)(es)?$/i, '$1'],
  [/(octop|vir)(us|i)$/i, '$1us'],
  [/^(a)x[ie]s$/i, '$1xis'],
  [/(cris|test)(is|es)$/i, '$1is'],
  [/(shoe)s$/i, '$1'],
  [/(o)es$/i, '$1'],
  [/(x|ch|ss|sh)es$/i, '$1'],
  [/(m)ovies$/i, '$1ovie'],
  [/([^aeiouy]|qu)ies$/i, '$1y'],
  [/([lr])ves$/i, '$1f'],
  [/(tive|hive)s$/i, '$1'],
  [/([^f])ves$/i, '$1fe'],
  [/((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$/i, '$1sis'],
  [/(ss|us|is)$/i, '$1'],
  [/s$/i, ''],
];

export function singularize(name: string): string {
  const split = Math.max(name.lastIndexOf('-'), name.lastIndexOf('_')) + 1;
  return name.slice(0, split) + singularizeWord(name.slice(split));
}

function singularizeWord(word: string): string {
  const lower = word.toLowerCase();
  if (word === '' || uncountable.has(lower)) {
    return word;
  }
  const irregularSingular = irregular[lower];
  if (irregularSingular !== undefined && Object.hasOwn(irregular, lower)) {
    return irregularSingular;
  }
  for (const [pattern, replacement] of rules) {
    if (pattern.test(word)) {
      return word.replace(pattern, replacement);
    }
  }
  return word;
}
