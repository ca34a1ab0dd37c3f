import { describe, expect, it } from '@jest/globals';
import { readLabels } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { tempDir, writeText } from './tmp-dir.js';

const dir = tempDir();

describe('readLabels', () => {
  it('maps integer labels to classes in numeric order and counts them', async () => {
    const path = writeText(dir, 'y.csv', 'id,label\r\n5,10\r\n6,2\r\n7,0\r\n8,2\r\n9,10.0\r\n');
    const table = await readLabels(path);
    expect(table.classNames).toEqual(['0', '2', '10']);
    expect(Array.from(table.labels)).toEqual([2, 1, 0, 1, 2]);
    expect(table.counts).toEqual([1, 2, 2]);
    expect(table.ids).toEqual(['5', '6', '7', '8', '9']);
    expect([table.idColumn, table.labelColumn, table.alignment]).toEqual(['id', 'label', 'none']);
  });

  it('maps string labels in code-unit order', async () => {
    const path = writeText(dir, 'ys.csv', 'sample,state\na,rest\nb,left\nc,Right\nd,left\n');
    const table = await readLabels(path);
    expect(table.classNames).toEqual(['Right', 'left', 'rest']);
    expect(Array.from(table.labels)).toEqual([2, 1, 0, 1]);
    expect([table.idColumn, table.labelColumn]).toEqual(['sample', 'state']);
  });

  it('aligns to the features by id, whatever the order of the label file', async () => {
    const path = writeText(dir, 'y2.csv', 'id,label\n3,b\n1,a\n2,c\n');
    const table = await readLabels(path, { ids: ['1', '2', '3'] });
    expect(Array.from(table.labels)).toEqual([0, 2, 1]);
    expect(table.ids).toEqual(['1', '2', '3']);
    expect(table.alignment).toBe('id');
    const extra = await readLabels(path, { ids: ['2', '1'], allowExtraLabels: true });
    expect(Array.from(extra.labels)).toEqual([2, 0]);
  });

  it('reads a single label column and aligns by row order with a length check', async () => {
    const path = writeText(dir, 'y1.csv', 'label\n1\n0\n1\n');
    const table = await readLabels(path, { rows: 3 });
    expect([table.ids, Array.from(table.labels), table.alignment]).toEqual([undefined, [1, 0, 1], 'row-order']);
    const withIds = await readLabels(path, { ids: ['a', 'b', 'c'] });
    expect([withIds.ids, withIds.alignment]).toEqual([['a', 'b', 'c'], 'row-order']);
  });

  it('picks the label column by name among several, or by labelColumn', async () => {
    const path = writeText(dir, 'y3.csv', 'id,weight,target\n1,0.5,x\n2,1.5,y\n');
    expect((await readLabels(path)).classNames).toEqual(['x', 'y']);
    expect((await readLabels(path, { labelColumn: 'weight' })).classNames).toEqual(['0.5', '1.5']);
    // A file without the label layout is bad input (exit 3; it was E_USAGE, exit 2, until fuzzing
    // showed a damaged header turning into a "usage error"); options that clash are E_USAGE.
    await expectError(readLabels(writeText(dir, 'y4.csv', 'id,a,b\n1,2,3\n')), 'E_INPUT', /which of the 3 columns holds the labels/, /--label-col/);
    await expectError(readLabels(writeText(dir, 'y4b.csv', 'id,a,b\n1,2,3\n'), { idColumn: 'a', labelColumn: 'a' }), 'E_USAGE', /'a' cannot be both the id and the label column/);
  });

  it('keeps a fixed class mapping and rejects labels outside it', async () => {
    const path = writeText(dir, 'y5.csv', 'id,label\n1,2\n2,0\n');
    expect(Array.from((await readLabels(path, { classNames: ['0', '1', '2'] })).labels)).toEqual([2, 0]);
    await expectError(readLabels(path, { classNames: ['0', '1'] }), 'E_SCHEMA', /label '2' on line 2 is not one of the classes \["0","1"\]/);
  });
});

describe('readLabels bad input', () => {
  it('missing file → E_NOT_FOUND', async () => {
    await expectError(readLabels(`${dir}/none.csv`), 'E_NOT_FOUND', /none\.csv/, /label file not found/);
  });

  it('empty file → E_INPUT', async () => {
    await expectError(readLabels(writeText(dir, 'e.csv', '')), 'E_INPUT', /e\.csv/, /label file is empty/);
  });

  it('header only → E_INPUT', async () => {
    await expectError(readLabels(writeText(dir, 'h.csv', 'id,label\n')), 'E_INPUT', /header but no rows/);
  });

  it('labels whose ids do not match the features ids → E_INPUT with counts on each side', async () => {
    const path = writeText(dir, 'm.csv', 'id,label\n1,0\n2,1\n3,0\n9,1\n');
    const error = await expectError(
      readLabels(path, { ids: ['1', '2', '3', '4', '5'] }),
      'E_INPUT',
      /m\.csv/,
      /2 of 5 feature rows have no label \(e\.g\. '4', '5'\)/,
      /1 of 4 labels have no feature row \(e\.g\. '9'\)/,
    );
    expect(error.hint).toMatch(/compared as text/);
  });

  it('label count ≠ row count → E_INPUT', async () => {
    const path = writeText(dir, 'n.csv', 'label\n0\n1\n');
    await expectError(readLabels(path, { rows: 3 }), 'E_INPUT', /2 labels but the features have 3 rows/, /matched by order/);
    await expectError(readLabels(writeText(dir, 'n2.csv', 'id,label\n1,0\n'), { rows: 2 }), 'E_INPUT', /1 labels but the features have 2 rows/);
  });

  it('duplicate ids → E_INPUT with both lines', async () => {
    await expectError(readLabels(writeText(dir, 'd.csv', 'id,label\n1,0\n2,1\n1,1\n')), 'E_INPUT', /duplicate id '1' on lines 2 and 4/);
  });

  it('missing label or ragged row → E_INPUT with the line', async () => {
    await expectError(readLabels(writeText(dir, 'ml.csv', 'id,label\n1,0\n2,\n')), 'E_INPUT', /line 3 has no label/);
    await expectError(readLabels(writeText(dir, 'r.csv', 'id,label\n1,0\n2,1,5\n')), 'E_INPUT', /line 3 has 3 fields but the header has 2/);
  });
});
