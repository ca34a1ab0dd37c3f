import { describe, expect, it } from '@jest/globals';
import {
  dpAlign,
  epochScore,
  ira,
  nedcTimeline,
  formatCsvBi,
  parseCsvBi,
  ovlp,
  taes,
  timescoringEvent,
  timescoringSample,
  type NedcLabelScores,
  type NedcResult,
  type Recording,
} from '@pipeline/metrics/eeg';
import { expectClose, loadFixture } from './helpers.js';

type Block = Record<string, number>;
interface ScoringCase {
  id: string;
  desc: string;
  files: Recording[];
  expected: {
    nedc_taes_seiz: Block;
    nedc_taes_summary: Block;
    nedc_ovlp_seiz: Block;
    nedc_epoch_seiz: Block;
    nedc_dpalign_seiz: Block;
    nedc_ira: { kappa_seiz: number; multi_class_kappa: number };
    total_duration_s: number;
    timescoring: Record<'sample' | 'event_szcore_default' | 'event_strict_any_overlap', Record<string, number | null>>;
  };
  detail: {
    nedc: {
      loaded_ref: [number, number, string][][];
      loaded_hyp: [number, number, string][][];
      taes: { per_label: Record<string, Block>; summary: Block; total_dur: number };
      ovlp: { per_label: Record<string, Block>; summary: Block; total_dur: number };
      epoch: { per_label: Record<string, Block>; summary: Block; confusion: Record<string, Record<string, number>>; total_dur: number };
      dpalign: { per_label: Record<string, Block>; summary: Block; confusion: Record<string, Record<string, number>>; total_dur: number };
      ira: { kappa_per_label: Record<string, number>; multi_class_kappa: number; confusion: Record<string, Record<string, number>> };
    };
    timescoring: {
      per_file: Record<string, Record<string, unknown>>[];
      event_params: Record<string, Record<string, number>>;
    };
  };
}

const vectors = loadFixture<{
  scoring_cases: { cases: ScoringCase[]; timescoring_param_sets: Record<string, Record<string, number>> };
}>('nedc_v6_vectors.json');
const cases = vectors.scoring_cases.cases;
const TOL = 1e-9;

/** NEDC's short names → ours. */
const NAMES: Record<string, keyof NedcLabelScores> = {
  tgt: 'tgt',
  hit: 'hit',
  mis: 'mis',
  fal: 'fal',
  ins: 'ins',
  del: 'del',
  tp: 'tp',
  tn: 'tn',
  fp: 'fp',
  fn: 'fn',
  tpr: 'sensitivity',
  tnr: 'specificity',
  ppv: 'precision',
  npv: 'npv',
  fnr: 'fnr',
  fpr: 'fpr',
  fdr: 'fdr',
  for: 'falseOmissionRate',
  acc: 'accuracy',
  msr: 'misclassificationRate',
  prv: 'prevalence',
  f1s: 'f1',
  mcc: 'mcc',
  flr: 'faPer24h',
};

function expectBlock(actual: NedcLabelScores, expected: Block, path: string): void {
  for (const [key, value] of Object.entries(expected)) {
    const name = NAMES[key];
    if (name === undefined) throw new Error(`${path}: unknown NEDC field ${key}`);
    expectClose(actual[name], value, TOL, `${path}.${key}`);
  }
}

function expectNedc(actual: NedcResult, detail: { per_label: Record<string, Block>; summary: Block; total_dur: number }, path: string): void {
  expectBlock(actual.perLabel.seiz, detail.per_label.seiz!, `${path}.seiz`);
  expectBlock(actual.perLabel.bckg, detail.per_label.bckg!, `${path}.bckg`);
  expectBlock(actual.summary, detail.summary, `${path}.summary`);
  expectClose(actual.totalDuration, detail.total_dur, TOL, `${path}.total_dur`);
}

/** The one case with overlapping hypotheses needs NEDC's pass-through loader. */
const policyFor = (c: ScoringCase) => (c.id.startsWith('invalid_') ? ({ overlapping: 'nedc' } as const) : {});

describe('NEDC v6.0.0 scorers on every scoring case of the vectors', () => {
  it('has the 18 cases', () => {
    expect(cases.length).toBe(18);
  });

  for (const c of cases) {
    describe(`${c.id}: ${c.desc}`, () => {
      const options = policyFor(c);

      it('loads timelines as NEDC does (gap filling, merging)', () => {
        c.files.forEach((file, f) => {
          const asTriples = (events: ReturnType<typeof nedcTimeline>) => events.map((e) => [e.start, e.stop, e.label]);
          expect(asTriples(nedcTimeline(file.ref, file.duration, options))).toEqual(c.detail.nedc.loaded_ref[f]);
          expect(asTriples(nedcTimeline(file.hyp, file.duration, options))).toEqual(c.detail.nedc.loaded_hyp[f]);
        });
      });

      it('TAES (mode nedc): seizure block, summary, every label', () => {
        const result = taes(c.files, options);
        expectBlock(result, c.expected.nedc_taes_seiz, 'taes');
        expectBlock(result.summary, c.expected.nedc_taes_summary, 'taes.summary');
        expectNedc(result, c.detail.nedc.taes, 'taes');
        expectClose(result.totalDuration, c.expected.total_duration_s, TOL);
      });

      it('OVLP', () => {
        const result = ovlp(c.files, options);
        expectBlock(result, c.expected.nedc_ovlp_seiz, 'ovlp');
        expectNedc(result, c.detail.nedc.ovlp, 'ovlp');
      });

      it('EPOCH (0.25 s)', () => {
        const result = epochScore(c.files, options);
        expectBlock(result, c.expected.nedc_epoch_seiz, 'epoch');
        expectNedc(result, c.detail.nedc.epoch, 'epoch');
        expect(result.confusion).toEqual(c.detail.nedc.epoch.confusion);
      });

      it('DP alignment', () => {
        const result = dpAlign(c.files, options);
        expectBlock(result, c.expected.nedc_dpalign_seiz, 'dpalign');
        expectNedc(result, c.detail.nedc.dpalign, 'dpalign');
        expect(result.confusion).toEqual(c.detail.nedc.dpalign.confusion);
      });

      it('IRA (kappa)', () => {
        const result = ira(c.files, options);
        expectClose(result.kappa, c.expected.nedc_ira.kappa_seiz, TOL, 'kappa_seiz');
        expectClose(result.multiClassKappa, c.expected.nedc_ira.multi_class_kappa, TOL, 'multi_class_kappa');
        expectClose(result.kappaPerLabel.bckg, c.detail.nedc.ira.kappa_per_label.bckg!, TOL, 'kappa_bckg');
        expect(result.confusion).toEqual(c.detail.nedc.ira.confusion);
      });

      it('timescoring 0.0.7: sample scoring and event scoring with both parameter sets', () => {
        const check = (actual: Record<string, unknown>, expected: Record<string, number | null>, path: string) => {
          for (const [key, value] of Object.entries(expected)) {
            expectClose(key === 'duration_s' ? actual.duration : actual[key], value, TOL, `${path}.${key}`);
          }
        };
        const sample = timescoringSample(c.files);
        check(sample as unknown as Record<string, unknown>, c.expected.timescoring.sample, 'sample');
        const params = vectors.scoring_cases.timescoring_param_sets;
        for (const [name, key] of [
          ['szcore_default', 'event_szcore_default'],
          ['strict_any_overlap', 'event_strict_any_overlap'],
        ] as const) {
          const result = timescoringEvent(c.files, params[name]!);
          check(result as unknown as Record<string, unknown>, c.expected.timescoring[key], key);
          c.detail.timescoring.per_file.forEach((perFile, f) => {
            const expected = perFile[key] as Record<string, unknown>;
            for (const field of ['tp', 'fp', 'refTrue'] as const) {
              expect(result.perRecording[f]![field]).toBe(expected[field]);
            }
          });
        }
      });
    });
  }
});

describe("TAES 'exact' mode (true overlap instead of integer seconds)", () => {
  for (const c of cases) {
    if (c.id.startsWith('invalid_')) continue;
    if (c.id.startsWith('integer_second_quirk')) continue;
    it(`${c.id}: seizure hits, misses and false alarms equal NEDC's where the integer-second test plays no role`, () => {
      // Only seizure-label counts: background events touch at integer seconds in most cases, so
      // TN (background hits) can differ between the modes.
      const exact = taes(c.files, { mode: 'exact' });
      const e = c.expected.nedc_taes_seiz;
      expectClose([exact.tgt, exact.hit, exact.mis, exact.fal, exact.faPer24h], [e.tgt, e.hit, e.mis, e.fal, e.flr], 1e-9);
    });
  }

  it('integer_second_quirk: the clean values the note gives (.3158 / .6842 / 1)', () => {
    const c = cases.find((x) => x.id === 'integer_second_quirk')!;
    const exact = taes(c.files, { mode: 'exact' });
    expectClose([exact.hit, exact.mis, exact.fal], [6 / 19, 13 / 19, 1], 1e-12);
  });

  it('integer_second_quirk_steals_ref: both refs detected, no stolen reference', () => {
    const c = cases.find((x) => x.id === 'integer_second_quirk_steals_ref')!;
    const exact = taes(c.files, { mode: 'exact' });
    // ref1 [10,20] ← hyp [15,20.2]: hit .5, FA .2/10; ref2 [20.5,30] ← hyp [22,28]: hit 6/9.5.
    expectClose([exact.hit, exact.mis, exact.fal], [0.5 + 6 / 9.5, 2 - 0.5 - 6 / 9.5, 0.02], 1e-12);
  });
});

describe('input checks of the NEDC loader', () => {
  const c = cases.find((x) => x.id === 'invalid_overlapping_hyps')!;
  it("rejects overlapping events by default, naming the events", () => {
    expect(() => taes(c.files)).toThrow(/hyp\[0\] \[10, 16\] and hyp\[1\] \[14, 22\] overlap/);
  });
  it("'merge' unions them (then [10, 22] against [10, 20])", () => {
    const merged = taes(c.files, { overlapping: 'merge' });
    expectClose([merged.hit, merged.mis, merged.fal], [1, 0, 0.2], 1e-12);
  });
  it('rejects events outside the recording and empty events', () => {
    expect(() => ovlp([{ duration: 100, ref: [[90, 101]], hyp: [] }])).toThrow(/0 <= start < stop <= duration/);
    expect(() => ovlp([{ duration: 100, ref: [[5, 5]], hyp: [], id: 'a.csv_bi' }])).toThrow(/a\.csv_bi, field 'ref\[0\]'/);
    expect(() => ovlp([{ duration: 0, ref: [], hyp: [] }])).toThrow(/duration/);
  });
});

describe('NEDC .csv_bi annotations', () => {
  const text = [
    '# version = csv_v1.0.0',
    '# bname = aaaaaajy_s001_t000',
    '# duration = 100.00 secs',
    '#',
    'channel,start_time,stop_time,label,confidence',
    'TERM,0.0000,10.0000,bckg,1.0000',
    'TERM,10.0000,20.0000,seiz,1.0000',
    'TERM,20.0000,100.0000,bckg,1.0000',
    '',
  ].join('\n');

  it('parses duration and seizure rows; round-trips through formatCsvBi', () => {
    const parsed = parseCsvBi(text, { file: 'ref.csv_bi' });
    expect(parsed).toEqual({ duration: 100, seizures: [[10, 20]] });
    expect(parseCsvBi(formatCsvBi(parsed.seizures, parsed.duration, { name: 'x' }))).toEqual(parsed);
    const c = cases.find((x) => x.id === 'exact_match')!;
    expectBlock(taes([{ duration: parsed.duration, ref: parsed.seizures, hyp: parsed.seizures }]), c.expected.nedc_taes_seiz, 'taes');
  });

  it('names the file and line of a bad row or an unknown label', () => {
    expect(() => parseCsvBi(text.replace('seiz', 'fnsz'), { file: 'ref.csv_bi' })).toThrow(/ref\.csv_bi, field 'line 7': .*'fnsz'/);
    expect(parseCsvBi(text.replace('seiz', 'fnsz'), { seizureLabels: ['fnsz', 'gnsz'] }).seizures).toEqual([[10, 20]]);
    expect(() => parseCsvBi(text.replace('# duration = 100.00 secs', ''))).toThrow(/duration/);
    expect(() => parseCsvBi(text.replace('TERM,10.0000,20.0000', 'TERM,ten,20.0000'))).toThrow(/line 7/);
  });
});
