/**
 * The writer's taught examples: kept in the browser's storage (never sent anywhere), exported and
 * imported as JSON files that src/digitdraw/adapt.py reads too (`digitdraw predict --examples`).
 * No DOM: the page passes in `localStorage`, the tests an in-memory stand-in.
 */
import config from '../config.json' with { type: 'json' };

export const FORMAT = 'digitdraw-examples';
export const VERSION = 1;
const STORAGE_KEY = 'digitdraw.examples';
const { max_examples: MAX_EXAMPLES, max_points: MAX_POINTS } = config.examples;

/** A file or stored value that cannot be used; the message says what is wrong. */
export class ExamplesError extends Error {}

function parseExample(entry, position) {
  const where = `example ${position + 1}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ExamplesError(`${where} is not an object`);
  const { digit, strokes } = entry;
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new ExamplesError(`${where}: "digit" must be a whole number from 0 to 9, not ${JSON.stringify(digit)}`);
  }
  if (!Array.isArray(strokes) || !strokes.length) throw new ExamplesError(`${where}: "strokes" must be a non-empty list of strokes`);
  let points = 0;
  for (const stroke of strokes) {
    const valid =
      Array.isArray(stroke) &&
      stroke.length > 0 &&
      stroke.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!valid) throw new ExamplesError(`${where}: a stroke is not a non-empty list of finite [x, y] points`);
    points += stroke.length;
  }
  if (points > MAX_POINTS) throw new ExamplesError(`${where} has ${points} points, more than ${MAX_POINTS}`);
  return { digit, strokes: strokes.map((s) => s.map(([x, y]) => [x, y])) };
}

/**
 * Examples from an exported file's parsed JSON, checked as strictly as adapt.parse_examples.
 * @returns {{digit: number, strokes: number[][][]}[]}
 * @throws {ExamplesError}
 */
export function parseExamples(data) {
  if (typeof data !== 'object' || data === null || data.format !== FORMAT) {
    throw new ExamplesError(`not a digitdraw examples file (expected "format": "${FORMAT}")`);
  }
  if (data.version !== VERSION) {
    throw new ExamplesError(`examples file version ${JSON.stringify(data.version)} is not supported (expected 1)`);
  }
  if (!Array.isArray(data.examples)) throw new ExamplesError('"examples" must be a list');
  if (data.examples.length > MAX_EXAMPLES) {
    throw new ExamplesError(`${data.examples.length} examples is more than the ${MAX_EXAMPLES} a file may hold`);
  }
  return data.examples.map(parseExample);
}

/** The stored examples, with the operations the page offers on them. */
export class ExampleStore {
  /** @param {Storage} storage where they persist (localStorage in the page) */
  constructor(storage) {
    this.storage = storage;
    this.examples = this.#read();
  }

  #read() {
    const text = this.storage.getItem(STORAGE_KEY);
    if (text === null) return [];
    try {
      return parseExamples(JSON.parse(text));
    } catch (error) {
      // Left in place, not overwritten: the next successful save replaces it, and until then the
      // person can still export nothing but lose nothing either.
      console.warn(`stored examples could not be read (${error.message}); starting with none`);
      return [];
    }
  }

  /** Save `examples` as the stored set; on failure (storage full or blocked) nothing changes. */
  #save(examples) {
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(this.toFile(examples)));
    } catch (error) {
      throw new ExamplesError(`the browser would not store the examples (${error.message}); forget some and try again`);
    }
    this.examples = examples;
  }

  get count() {
    return this.examples.length;
  }

  /** Teach: `strokes` are an example of `digit`. */
  add(digit, strokes) {
    const [example] = parseExamples({ format: FORMAT, version: VERSION, examples: [{ digit, strokes }] });
    this.#save([...this.examples, example]);
  }

  /** Remove every example; returns them, for an undo. */
  forget() {
    const removed = this.examples;
    this.#save([]);
    return removed;
  }

  /** Put back examples that `forget` returned, before any taught since. */
  restore(examples) {
    this.#save([...examples, ...this.examples]);
  }

  /** The JSON object an exported file holds. */
  toFile(examples = this.examples) {
    return { format: FORMAT, version: VERSION, examples };
  }

  /**
   * Add the examples of an exported file's text; nothing changes if any of it is invalid.
   * @returns {number} how many were added
   * @throws {ExamplesError}
   */
  importText(text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ExamplesError(`not valid JSON (${error.message}); export the examples from the page again`);
    }
    const incoming = parseExamples(data);
    if (this.examples.length + incoming.length > MAX_EXAMPLES) {
      throw new ExamplesError(`${this.examples.length + incoming.length} examples would be more than ${MAX_EXAMPLES}; forget some first`);
    }
    this.#save([...this.examples, ...incoming]);
    return incoming.length;
  }
}
