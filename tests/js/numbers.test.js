// The JS number reader must match the Python reference on the golden vectors it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  NumberReader, boxOf, union, readingOrder, lineHeight, candidates, prior, retracedGroups,
  crossedSevens, crossesSevens, hasCrossbar, isFlatLine, seenCrossedSeven,
} from '../../src/digitdraw/app/web/js/numbers.js';
import { doubtful, rejected, runTogether, turns } from '../../src/digitdraw/app/web/js/rejection.js';

const golden = JSON.parse(readFileSync(new URL('../golden/numbers.json', import.meta.url)));
const close = (a, b) => Math.abs(a - b) <= golden.tolerance * Math.max(1, Math.abs(b));

/** A classifier that looks each group of strokes up in the case's table, as the Python side did. */
function tableClassifier(c) {
  const indexOf = new Map(c.strokes.map((s, k) => [JSON.stringify(s), k]));
  const calls = [];
  const classify = async (groups) => {
    calls.push(groups.length);
    return groups.map((g) => c.probabilities[g.map((s) => indexOf.get(JSON.stringify(s))).sort((a, b) => a - b).join(',')]);
  };
  return { classify, calls };
}

test('golden file covers crafted and random stroke sets', () => {
  assert.ok(golden.cases.length >= 12);
});

for (const c of golden.cases) {
  test(`numbers "${c.name}": same parts, order, line height, candidates, priors and reading as Python`, async () => {
    const groups = retracedGroups(c.strokes);
    assert.deepEqual(groups, c.retraced_groups);
    const boxes = groups.map((g) => union(g.map((k) => boxOf(c.strokes[k]))));
    const order = readingOrder(boxes);
    assert.deepEqual(order, c.order);
    const height = lineHeight(boxes, order);
    assert.ok(close(height, c.line_height), `line height ${height} vs ${c.line_height}`);
    const runs = candidates(boxes, order, height);
    assert.deepEqual(runs, c.candidates);
    runs.forEach(([a, b], i) => {
      const value = prior(order.slice(a, b).map((k) => boxes[k]), height);
      assert.ok(close(value, c.priors[i]), `prior of ${a}:${b}: ${value} vs ${c.priors[i]}`);
    });
    const reading = await new NumberReader(tableClassifier(c).classify).read(c.strokes);
    assert.equal(reading.text, c.text);
    assert.equal(reading.alternative, c.alternative);
    assert.deepEqual(reading.digits.map((d) => d.parts), c.parts);
    assert.ok(close(turns(c.strokes), c.turns), `pen turns ${turns(c.strokes)} vs ${c.turns}`);
    assert.equal(rejected(reading.digits.map((d) => d.notADigit), c.strokes), c.rejected);
    assert.equal(doubtful(reading.digits.map((d) => d.notADigit)), c.doubtful);
    assert.equal(runTogether(c.strokes, reading.digits.map((d) => d.parts)), c.run_together);
  });
}

test('golden "not one digit" verdicts: rejected, doubtful and read, as in Python', () => {
  const verdicts = golden.not_a_digit.map((c) => [rejected(c.not_a_digit), doubtful(c.not_a_digit)]);
  assert.deepEqual(verdicts, golden.not_a_digit.map((c) => [c.rejected, c.doubtful]));
  assert.deepEqual(new Set(verdicts.map(String)), new Set(['not-a-digit,true', ',true', ',false']));
});

test('golden "run together" cases cover both answers', () => {
  assert.deepEqual(new Set(golden.run_together.map((c) => c.run_together)), new Set([true, false]));
});

for (const c of golden.run_together) {
  test(`run together "${c.name}": the same verdict as Python`, () => {
    assert.equal(runTogether(c.strokes, c.digits), c.run_together);
  });
}

test('a new stroke costs only the candidates it joins', async () => {
  const c = golden.cases.find((x) => x.name === 'long-number');
  const { classify, calls } = tableClassifier(c);
  const reader = new NumberReader(classify);
  await reader.read(c.strokes.slice(0, -1));
  await reader.read(c.strokes);
  assert.ok(calls[1] <= 4, `second read classified ${calls[1]} groups`);
  await reader.read(c.strokes);
  assert.equal(calls.length, 2, 'reading the same strokes again classifies nothing');
});

test('an empty drawing reads as no digits', async () => {
  const reading = await new NumberReader(async () => []).read([[], []]);
  assert.deepEqual(reading, { digits: [], text: '', alternative: null });
});

for (const set of golden.crossed_sevens) {
  test('crossed 7s: the same flat lines, crossbars and writer verdicts as Python', () => {
    assert.deepEqual(set.strokes.map((s) => isFlatLine(s)), set.flat_lines);
    const [crossed, plain] = [set.strokes.slice(0, 2), [set.strokes[2]]];
    const tilted = [crossed[0], set.tilted_crossbar];
    assert.deepEqual({ crossed: hasCrossbar(crossed), plain: hasCrossbar(plain), tilted: hasCrossbar(tilted) }, set.crossbar);
    assert.equal(isFlatLine(set.tilted_crossbar), set.tilted_crossbar_is_a_dash);
    const sevens = [[], [crossed], [crossed, crossed], [crossed, plain]];
    assert.deepEqual(sevens.map(crossesSevens), set.crosses_sevens);
  });

  for (const c of set.cases) {
    test(`crossed 7s "${c.name}": the same digits and probabilities as Python`, () => {
      const digits = c.digits.map((d) => ({ ...d, digit: d.probabilities.indexOf(Math.max(...d.probabilities)) }));
      const read = crossedSevens(digits, set.strokes, c.writer_crosses, c.seen_crossed);
      assert.deepEqual(read.map((d) => d.digit), c.read);
      assert.equal(seenCrossedSeven(c.seen_crossed, read, set.strokes), c.seen_after);
      assert.deepEqual(read.map((d) => Boolean(d.doubtedSeven)), c.doubted);
      read.forEach((d, i) => d.probabilities.forEach((p, k) => assert.ok(close(p, c.probabilities[i][k]), `${p} vs ${c.probabilities[i][k]}`)));
    });
  }
}

test('golden crossed-7 cases cover a 7 read again and a 7 kept', () => {
  const reads = golden.crossed_sevens.flatMap((s) => s.cases.map((c) => c.read.join('')));
  assert.ok(reads.includes('771') && reads.includes('777') && reads.includes('11'));
});

test('golden crossed-7 cases cover a 7 seen before doubting only the less sure 7s, and what is remembered after', () => {
  const cases = golden.crossed_sevens.flatMap((s) => s.cases);
  const fairly = (seen) => cases.find((c) => c.name.startsWith('no crossed 7, fairly') && c.writer_crosses === null && c.seen_crossed === seen);
  assert.deepEqual([fairly(false).read.join(''), fairly(true).read.join('')], ['77', '71']);
  const nineLike = cases.find((c) => c.name.startsWith('no crossed 7, 9-like') && c.writer_crosses === null && c.seen_crossed);
  assert.deepEqual([nineLike.read.join(''), nineLike.seen_after], ['71', false]); // kept a 7, so what was seen ends
  const after = new Set(cases.map((c) => c.seen_after));
  assert.ok(after.has(true) && after.has(false));
});
