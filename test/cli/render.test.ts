import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDemo, run } from '../e2e/harness.js';
import { familyOf, familyRows } from '../../src/cli/render/families.js';

describe('families', () => {
  it('collapses three or more sonames of one family that need the same action', () => {
    const items = ['core', 'imgproc', 'dnn', 'video'].map((m) => ({ soname: `libopencv_${m}.so.406`, files: [`cv2/${m}.so`], action: 'unknown' }));
    const rows = familyRows([{ soname: 'libGL.so.1', files: ['a.so'], action: 'add libGL' }, ...items], false);
    expect(rows.map((r) => r.label)).toEqual(['libGL.so.1', 'libopencv_*.so.406 ×4']);
    expect(rows[1]!.files).toEqual(['cv2/core.so', 'cv2/dnn.so', 'cv2/imgproc.so', 'cv2/video.so']);
    expect(familyRows([...items], true)).toHaveLength(4);
  });
  it('keeps members apart when their actions differ, and leaves small groups alone', () => {
    const rows = familyRows(
      [
        { soname: 'libav_a.so.1', files: [], action: 'add x' },
        { soname: 'libav_b.so.1', files: [], action: 'add y' },
        { soname: 'libav_c.so.1', files: [], action: 'add x' },
      ],
      false,
    );
    expect(rows.map((r) => r.label)).toEqual(['libav_a.so.1', 'libav_b.so.1', 'libav_c.so.1']);
    expect(familyOf('libz.so.1')).toBeNull();
    expect(familyOf('libopencv_core.so.406')).toBe('libopencv_*.so.406');
  });
});

describe('human output fits the terminal', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = copyDemo()));
  afterAll(() => cleanup());

  for (const columns of ['80', '60']) {
    it(`doctor and check at ${columns} columns`, async () => {
      for (const argv of [['doctor', '--project', dir], ['check', '--project', dir]]) {
        const r = await run(argv, { env: { COLUMNS: columns, HOME: dir } });
        expect(r.code).toBe(1);
        // The diff is shown as it is (wrapping would corrupt what the user copies): from its
        // `--- a/` line to the blank line after it.
        const prose = r.out.replace(/^--- a\/[^]*?\n\n/m, '').split('\n');
        expect(prose.length).toBeGreaterThan(5);
        for (const l of prose) expect(l.length, l).toBeLessThanOrEqual(Number(columns));
      }
    });
  }
});
